# Trains the CIFAR-100 ResNet-56 teacher of the KD recipes alone (same data and schedule).
_base_ = [
    '../_base_/models/cifar100_resnet56.py',
    'mmpretrain::_base_/datasets/cifar100_bs16.py',
    '../_base_/schedules/cifar_160e_bs128.py',
    'mmpretrain::_base_/default_runtime.py',
]
