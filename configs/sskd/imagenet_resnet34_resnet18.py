# SSKD on ImageNet: ResNet-34 teacher, ResNet-18 student (mmpretrain's configs; 64/128/256/512 channels in
# both). Four 10-epoch backbone stages (cheaper than full steps), then the head phase with mmpretrain's whole
# 100-epoch schedule (/10 at 30, 60, 90); the LR schedule restarts at each stage and at the head phase
# (configs/sskd/README.md: a head phase shorter than the student alone's training lost on the embedded tracks).
_base_ = [
    'mmpretrain::_base_/datasets/imagenet_bs32.py',
    'mmpretrain::_base_/schedules/imagenet_bs256.py',
    'mmpretrain::_base_/default_runtime.py',
]
runner_type = 'mmiekd.DistillRunner'  # crash-safe checkpoints, safe loading, CPU SyncBN
# Under DDP: the parameters that train change at each stage boundary (mmiekd.StageDistributedDataParallel).
model_wrapper_cfg = dict(type='mmiekd.StageDistributedDataParallel')
model = dict(
    type='mmiekd.SSKDDistiller',
    student=dict(cfg_path='mmpretrain::resnet/resnet18_8xb32_in1k.py'),
    teacher=dict(cfg_path='mmpretrain::resnet/resnet34_8xb32_in1k.py'),
    teacher_ckpt='https://download.openmmlab.com/mmclassification/v0/resnet/resnet34_8xb32_in1k_20210831-f257d4e6.pth',
    stages=[dict(student=f'backbone.layer{i}', teacher=f'backbone.layer{i}', length=10) for i in range(1, 5)],
    head_length=100)
train_cfg = dict(max_epochs=4 * 10 + 100)
custom_hooks = [dict(type='mmiekd.SSKDStageHook', by_epoch=True, restart_lr=True)]
# Per stage (restarted): lr 0.1 divided by 10 every 30 epochs of the phase.
param_scheduler = dict(type='MultiStepLR', by_epoch=True, milestones=[30, 60, 90], gamma=0.1)
