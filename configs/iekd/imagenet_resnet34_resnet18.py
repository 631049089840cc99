# IE-KD on ImageNet: ResNet-34 teacher, ResNet-18 student (mmpretrain's own configs and 100-epoch schedule,
# 8 GPUs x 32 images). The last stage (layer4, 512 channels, 7x7) is factorised into 256 channels; the
# student's 512 channels split 256 inherit / 256 explore. Phase 1: one epoch of auto-encoder training.
_base_ = [
    'mmpretrain::_base_/datasets/imagenet_bs32.py',
    'mmpretrain::_base_/schedules/imagenet_bs256.py',
    'mmpretrain::_base_/default_runtime.py',
]
runner_type = 'mmiekd.DistillRunner'  # crash-safe checkpoints, safe loading, CPU SyncBN
model = dict(
    type='mmiekd.IEKDDistiller',
    student=dict(cfg_path='mmpretrain::resnet/resnet18_8xb32_in1k.py'),
    teacher=dict(cfg_path='mmpretrain::resnet/resnet34_8xb32_in1k.py'),
    # mmpretrain's model-zoo ResNet-34 (73.62% top-1): downloaded once into the torch hub cache.
    teacher_ckpt='https://download.openmmlab.com/mmclassification/v0/resnet/resnet34_8xb32_in1k_20210831-f257d4e6.pth',
    ie=dict(
        student='backbone.layer4', teacher='backbone.layer4',
        student_channels=512, teacher_channels=512, factor_channels=256,
        split='natural',
        inheritance=dict(type='mmiekd.IEInheritanceLoss', loss_weight=1.0),
        exploration=dict(type='mmiekd.IEExplorationLoss', form='norm', loss_weight=1.0)))
custom_hooks = [
    dict(type='mmiekd.IEKDAutoEncoderHook', epochs=1,
         optimizer=dict(type='SGD', lr=0.01, momentum=0.9, nesterov=True, weight_decay=1e-4)),
    dict(type='mmiekd.TeacherValHook'),
]
