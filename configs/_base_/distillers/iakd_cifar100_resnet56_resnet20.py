# IAKD on CIFAR: ResNet-56 teacher, ResNet-20 student; the three stages (16/32/64 channels in both) are the
# swappable blocks. The task loss of the hybrid network is the only loss.
model = dict(
    type='mmiekd.IAKDDistiller',
    student=dict(cfg_path='mmiekd::_base_/models/cifar100_resnet20.py'),
    teacher=dict(cfg_path='mmiekd::_base_/models/cifar100_resnet56.py'),
    teacher_ckpt='checkpoints/iekd_cifar100_resnet56.pth',  # configs/iekd/teachers/cifar100_resnet56.py
    blocks=[dict(student=f'backbone.layer{i}', teacher=f'backbone.layer{i}') for i in (1, 2, 3)],
    input_shape=(3, 32, 32),
    swap_prob=0.5,
    seed=0)
# No `find_unused_parameters`: the parameters a step does not use (swapped student blocks, idle connectors)
# get an exact zero gradient (their sum times 0 in the total loss), so DDP reduces every parameter in every step.
custom_hooks = [
    # p falls linearly from 0.5 to 0 over the first 100 of 160 epochs, before the last LR drop (epoch 120):
    # the pure student trains 20 epochs at lr 0.01 and the last 40 at 0.001.
    dict(type='mmiekd.IAKDSwapHook', p_start=0.5, p_end=0.0, schedule='linear', end=100, by_epoch=True),
    dict(type='mmiekd.TeacherValHook'),
]
# mmiekd's runner: crash-safe checkpoints, safe loading, CPU SyncBN (see mmiekd.DistillRunner).
runner_type = 'mmiekd.DistillRunner'
