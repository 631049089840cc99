# SSKD on CIFAR: ResNet-56 teacher, ResNet-20 student. The three stages (16/32/64 channels, equal in both
# networks, so no connector) are transferred one after the other, then the classifier is trained alone.
model = dict(
    type='mmiekd.SSKDDistiller',
    student=dict(cfg_path='mmiekd::_base_/models/cifar100_resnet20.py'),
    teacher=dict(cfg_path='mmiekd::_base_/models/cifar100_resnet56.py'),
    teacher_ckpt='checkpoints/iekd_cifar100_resnet56.pth',  # configs/iekd/teachers/cifar100_resnet56.py
    stages=[dict(student=f'backbone.layer{i}', teacher=f'backbone.layer{i}', length=40) for i in (1, 2, 3)],
    head_length=160)
custom_hooks = [dict(type='mmiekd.SSKDStageHook', by_epoch=True, restart_lr=True)]
# mmiekd's runner: crash-safe checkpoints, safe loading, CPU SyncBN (see mmiekd.DistillRunner).
runner_type = 'mmiekd.DistillRunner'
# Under DDP: the parameters that train change at each stage boundary (mmiekd.StageDistributedDataParallel).
model_wrapper_cfg = dict(type='mmiekd.StageDistributedDataParallel')
