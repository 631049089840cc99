# The CIFAR-100 KD recipe on the embedded digits data (10 classes, 32x32): the same distiller base and
# backbones; only the number of classes, the data and the schedule change.
_base_ = [
    '../../_base_/distillers/kd_cifar100_resnet56_resnet20.py',
    '../../_base_/tiny/digits_runtime.py',
]
model = dict(student=dict(head=dict(num_classes=10)), teacher=dict(head=dict(num_classes=10)), teacher_ckpt=None)
