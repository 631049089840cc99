# SSKD on CIFAR-100: ResNet-56 teacher, ResNet-20 student. The three stages (16/32/64 channels, equal in both
# networks, so no adaptor) are transferred one after the other, then the classifier is trained alone.
# Schedule: the student-alone 160 epochs split 40 / 40 / 40 / 40 (three stages, then the head phase),
# so the recipe costs about what training the student alone costs.
_base_ = [
    'mmpretrain::_base_/datasets/cifar100_bs16.py',
    '../_base_/schedules/cifar_160e_bs128.py',
    'mmpretrain::_base_/default_runtime.py',
]
model = dict(
    type='mmiekd.SSKDDistiller',
    student=dict(cfg_path='mmiekd::_base_/models/cifar100_resnet20.py'),
    teacher=dict(cfg_path='mmiekd::_base_/models/cifar100_resnet56.py'),
    teacher_ckpt='checkpoints/iekd_cifar100_resnet56.pth',  # configs/iekd/teachers/cifar100_resnet56.py
    stages=[
        dict(student='backbone.layer1', teacher='backbone.layer1', length=40),
        dict(student='backbone.layer2', teacher='backbone.layer2', length=40),
        dict(student='backbone.layer3', teacher='backbone.layer3', length=40),
    ],
    head_length=40)
custom_hooks = [dict(type='mmiekd.SSKDStageHook', by_epoch=True, restart_lr=True)]
# Each phase gets the same step schedule: lr 0.1, divided by 10 after 20 and 30 of its 40 epochs.
param_scheduler = dict(type='MultiStepLR', by_epoch=True, milestones=[20, 30], gamma=0.1, begin=0, end=40)
