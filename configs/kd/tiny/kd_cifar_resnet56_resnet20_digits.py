# The CIFAR-100 KD recipe on the embedded digits data (10 classes, 32x32): the same distiller base and
# backbones; only the number of classes, the data and the schedule change.
_base_ = [
    '../../_base_/distillers/kd_cifar100_resnet56_resnet20.py',
    '../../_base_/datasets/digits_32px.py',
    '../../_base_/schedules/cifar_160e_bs128.py',
    'mmpretrain::_base_/default_runtime.py',
]
model = dict(
    student=dict(head=dict(num_classes=10)),
    teacher=dict(head=dict(num_classes=10)),
    teacher_ckpt=None)
train_cfg = dict(_delete_=True, type='IterBasedTrainLoop', max_iters=200, val_interval=200)
param_scheduler = dict(type='MultiStepLR', by_epoch=False, milestones=[150], gamma=0.1)
default_hooks = dict(logger=dict(interval=20), checkpoint=dict(by_epoch=False, interval=200))
log_processor = dict(by_epoch=False)
