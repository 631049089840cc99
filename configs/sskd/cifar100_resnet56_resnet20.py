# SSKD on CIFAR-100: ResNet-56 teacher, ResNet-20 student. Schedule: the student-alone 160 epochs split
# 40 / 40 / 40 / 40 (three stages, then the head phase), so the recipe costs about what the student alone
# costs; each phase replays the same step schedule (lr 0.1, /10 after 20 and 30 of its 40 epochs).
_base_ = [
    '../_base_/distillers/sskd_cifar100_resnet56_resnet20.py',
    'mmpretrain::_base_/datasets/cifar100_bs16.py',
    '../_base_/schedules/cifar_160e_bs128.py',
    'mmpretrain::_base_/default_runtime.py',
]
param_scheduler = dict(type='MultiStepLR', by_epoch=True, milestones=[20, 30], gamma=0.1, begin=0, end=40)
