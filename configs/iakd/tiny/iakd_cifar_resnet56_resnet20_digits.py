# The IAKD CIFAR recipe on the embedded digits data: the same blocks and swap schedule shape; only the number
# of classes, the data and the schedule (p from 0.5 to 0 over 100 of 200 iterations, before the LR drop at 150) change.
_base_ = [
    '../../_base_/distillers/iakd_cifar100_resnet56_resnet20.py',
    '../../_base_/tiny/digits_runtime.py',
]
model = dict(student=dict(head=dict(num_classes=10)), teacher=dict(head=dict(num_classes=10)), teacher_ckpt=None)
custom_hooks = [
    dict(type='mmiekd.IAKDSwapHook', p_start=0.5, p_end=0.0, schedule='linear', end=100, by_epoch=False),
    dict(type='mmiekd.TeacherValHook'),
]
