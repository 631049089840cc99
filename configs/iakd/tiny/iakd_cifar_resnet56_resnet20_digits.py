# The IAKD CIFAR-100 recipe on the embedded digits data: the same blocks and swap schedule shape; only the
# number of classes, the data and the schedule (p from 0.5 to 0 over 160 of 200 iterations) change.
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
model = dict(student=dict(head=dict(num_classes=10)), teacher=dict(head=dict(num_classes=10)), teacher_ckpt=None)
custom_hooks = [
    dict(type='mmiekd.IAKDSwapHook', p_start=0.5, p_end=0.0, schedule='linear', end=160, by_epoch=False),
    dict(type='mmiekd.TeacherValHook'),
]
train_cfg = dict(_delete_=True, type='IterBasedTrainLoop', max_iters=200, val_interval=200)
param_scheduler = dict(type='MultiStepLR', by_epoch=False, milestones=[150], gamma=0.1)
default_hooks = dict(logger=dict(interval=20), checkpoint=dict(by_epoch=False, interval=200))
log_processor = dict(by_epoch=False)
