# IAKD on CIFAR-100: ResNet-56 teacher, ResNet-20 student, the 160-epoch CIFAR schedule.
_base_ = [
    '../_base_/distillers/iakd_cifar100_resnet56_resnet20.py',
    'mmpretrain::_base_/datasets/cifar100_bs16.py',
    '../_base_/schedules/cifar_160e_bs128.py',
    'mmpretrain::_base_/default_runtime.py',
]
