# The CIFAR-100 ResNet-56 teacher, trained alone with the authors' recipe (160 epochs).
_base_ = [
    '../../_base_/models/cifar100_resnet56.py',
    'mmpretrain::_base_/datasets/cifar100_bs16.py',
    '../../_base_/schedules/cifar_160e_bs128.py',
    'mmpretrain::_base_/default_runtime.py',
]
