# IAKD on CIFAR-100: WRN-40-2 teacher, WRN-16-2 student (stages of 32/64/128 channels in both).
_base_ = ['./cifar100_resnet56_resnet20.py']
model = dict(
    student=dict(_delete_=True, cfg_path='mmiekd::_base_/models/cifar100_wrn16_2.py'),
    teacher=dict(_delete_=True, cfg_path='mmiekd::_base_/models/cifar100_wrn40_2.py'),
    teacher_ckpt='checkpoints/iekd_cifar100_wrn40_2.pth')  # configs/iekd/teachers/cifar100_wrn40_2.py
