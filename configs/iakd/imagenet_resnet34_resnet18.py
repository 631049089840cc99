# IAKD on ImageNet: ResNet-34 teacher, ResNet-18 student (mmpretrain's configs and 100-epoch schedule); the
# four stages (64/128/256/512 channels in both) are swappable; p falls from 0.5 to 0 over 80 epochs.
_base_ = [
    'mmpretrain::_base_/datasets/imagenet_bs32.py',
    'mmpretrain::_base_/schedules/imagenet_bs256.py',
    'mmpretrain::_base_/default_runtime.py',
]
runner_type = 'mmiekd.DistillRunner'  # crash-safe checkpoints, safe loading, CPU SyncBN
model = dict(
    type='mmiekd.IAKDDistiller',
    student=dict(cfg_path='mmpretrain::resnet/resnet18_8xb32_in1k.py'),
    teacher=dict(cfg_path='mmpretrain::resnet/resnet34_8xb32_in1k.py'),
    teacher_ckpt='https://download.openmmlab.com/mmclassification/v0/resnet/resnet34_8xb32_in1k_20210831-f257d4e6.pth',
    blocks=[dict(student=f'backbone.layer{i}', teacher=f'backbone.layer{i}') for i in range(1, 5)],
    swap_prob=0.5)
# No `find_unused_parameters`: the parameters a step does not use (swapped student blocks, idle connectors)
# get an exact zero gradient (their sum times 0 in the total loss), so DDP reduces every parameter in every step.
custom_hooks = [
    dict(type='mmiekd.IAKDSwapHook', p_start=0.5, p_end=0.0, schedule='linear', end=80, by_epoch=True),
    dict(type='mmiekd.TeacherValHook'),
]
