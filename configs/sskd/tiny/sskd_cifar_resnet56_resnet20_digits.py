# The SSKD CIFAR recipe on the embedded digits data: the same stages; only the number of classes, the data and
# the schedule (50 iterations per stage, 50 of head) change.
_base_ = [
    '../../_base_/distillers/sskd_cifar100_resnet56_resnet20.py',
    '../../_base_/tiny/digits_runtime.py',
]
model = dict(
    student=dict(head=dict(num_classes=10)),
    teacher=dict(head=dict(num_classes=10)),
    teacher_ckpt=None,
    stages=[dict(student=f'backbone.layer{i}', teacher=f'backbone.layer{i}', length=50) for i in (1, 2, 3)],
    head_length=50)
custom_hooks = [dict(type='mmiekd.SSKDStageHook', by_epoch=False)]
param_scheduler = dict(_delete_=True, type='ConstantLR', factor=1.0, by_epoch=False)
