# AT baseline on CIFAR-100 (mmpretrain's CIFAR100 dataset), ResNet-56 -> ResNet-20, 160 epochs.
_base_ = [
    '../_base_/distillers/at_cifar100_resnet56_resnet20.py',
    'mmpretrain::_base_/datasets/cifar100_bs16.py',
    '../_base_/schedules/cifar_160e_bs128.py',
    'mmpretrain::_base_/default_runtime.py',
]
