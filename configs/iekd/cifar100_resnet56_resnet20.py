# IE-KD (IE-FT) on CIFAR-100: ResNet-56 teacher, ResNet-20 student, the authors' 160-epoch schedule.
_base_ = [
    '../_base_/distillers/iekd_cifar100_resnet56_resnet20.py',
    'mmpretrain::_base_/datasets/cifar100_bs16.py',
    '../_base_/schedules/cifar_160e_bs128.py',
    'mmpretrain::_base_/default_runtime.py',
]
# 128 images per step, as the authors (8 GPUs x 16 here).
train_dataloader = dict(batch_size=16)
