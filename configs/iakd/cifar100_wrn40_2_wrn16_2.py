# IAKD on CIFAR-100: WRN-40-2 teacher, WRN-16-2 student (stages of 32/64/128 channels in both).
_base_ = ['./cifar100_resnet56_resnet20.py']
model = dict(
    student=dict(_delete_=True, cfg_path='mmiekd::_base_/models/cifar100_resnet20.py',
                 backbone=dict(_delete_=True, type='mmiekd.WideResNet', arch='wrn_16_2'),
                 head=dict(in_channels=128)),
    teacher=dict(_delete_=True, cfg_path='mmiekd::_base_/models/cifar100_resnet20.py',
                 backbone=dict(_delete_=True, type='mmiekd.WideResNet', arch='wrn_40_2'),
                 head=dict(in_channels=128)),
    teacher_ckpt='checkpoints/iekd_cifar100_wrn40_2.pth')  # configs/iekd/teachers/cifar100_wrn40_2.py
