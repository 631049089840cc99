# The CIFAR-100 WRN-40-2 teacher, trained alone (160 epochs).
_base_ = [
    '../../_base_/models/cifar100_wrn40_2.py',
    'mmpretrain::_base_/datasets/cifar100_bs16.py',
    '../../_base_/schedules/cifar_160e_bs128.py',
    'mmpretrain::_base_/default_runtime.py',
]
