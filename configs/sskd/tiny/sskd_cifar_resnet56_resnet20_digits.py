# The SSKD CIFAR-100 recipe on the embedded digits data: the same stages; only the number of classes, the data
# and the schedule (2 + 2 + 2 iterations of stages, 2 of head by default) change.
_base_ = ['../cifar100_resnet56_resnet20.py']
data_root = 'data/digits/'
data_preprocessor = dict(num_classes=10, mean=[127.5, 127.5, 127.5], std=[127.5, 127.5, 127.5], to_rgb=False)
train_dataloader = dict(
    batch_size=64, num_workers=0,
    dataset=dict(_delete_=True, type='CustomDataset', data_root=data_root, data_prefix='train',
                 pipeline=[dict(type='LoadImageFromFile'), dict(type='RandomCrop', crop_size=32, padding=2),
                           dict(type='PackInputs')]))
val_dataloader = dict(
    batch_size=128, num_workers=0,
    dataset=dict(_delete_=True, type='CustomDataset', data_root=data_root, data_prefix='val',
                 pipeline=[dict(type='LoadImageFromFile'), dict(type='PackInputs')]))
test_dataloader = val_dataloader
model = dict(
    student=dict(head=dict(num_classes=10)),
    teacher=dict(head=dict(num_classes=10)),
    teacher_ckpt=None,
    stages=[
        dict(student='backbone.layer1', teacher='backbone.layer1', length=50),
        dict(student='backbone.layer2', teacher='backbone.layer2', length=50),
        dict(student='backbone.layer3', teacher='backbone.layer3', length=50),
    ],
    head_length=50)
custom_hooks = [dict(type='mmiekd.SSKDStageHook', by_epoch=False, restart_lr=False)]
train_cfg = dict(_delete_=True, type='IterBasedTrainLoop', max_iters=200, val_interval=200)
param_scheduler = dict(_delete_=True, type='ConstantLR', factor=1.0, by_epoch=False)
default_hooks = dict(logger=dict(interval=20), checkpoint=dict(by_epoch=False, interval=200))
log_processor = dict(by_epoch=False)
