# The CIFAR IE-KD recipe on the embedded digits data (10 classes, 32x32 real images): the same distiller base;
# only the number of classes, the data and the schedule (phase 1 included) change.
_base_ = [
    '../../_base_/distillers/iekd_cifar100_resnet56_resnet20.py',
    '../../_base_/tiny/digits_runtime.py',
]
model = dict(student=dict(head=dict(num_classes=10)), teacher=dict(head=dict(num_classes=10)), teacher_ckpt=None)
custom_hooks = [
    dict(type='mmiekd.IEKDAutoEncoderHook', iters=50, log_interval=10),
    dict(type='mmiekd.TeacherValHook'),
]
