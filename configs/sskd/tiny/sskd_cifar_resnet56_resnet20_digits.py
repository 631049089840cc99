# The SSKD CIFAR recipe shrunk for CPU runs on the embedded digits data: the same stages; only the data and the
# schedule change. Schedule: three backbone stages of 50 iterations, then the head phase with the student alone's
# whole schedule (200 iterations, LR /10 at 150): `restart_lr` replays `param_scheduler` from each stage and from
# the head phase (configs/sskd/README.md).
_base_ = [
    '../../_base_/distillers/sskd_cifar100_resnet56_resnet20.py',
    '../../_base_/tiny/digits_runtime.py',
]
model = dict(
    student=dict(head=dict(num_classes=10)),
    teacher=dict(head=dict(num_classes=10)),
    teacher_ckpt=None,
    stages=[dict(student=f'backbone.layer{i}', teacher=f'backbone.layer{i}', length=50) for i in (1, 2, 3)],
    head_length=200)
train_cfg = dict(max_iters=350, val_interval=350)
custom_hooks = [dict(type='mmiekd.SSKDStageHook', by_epoch=False, restart_lr=True)]
