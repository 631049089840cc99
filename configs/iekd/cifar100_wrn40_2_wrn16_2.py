# IE-KD on CIFAR-100: WRN-40-2 teacher, WRN-16-2 student; the last feature (after the final BN-ReLU,
# 128 channels) is factorised into 64 channels.
_base_ = ['./cifar100_resnet56_resnet20.py']
model = dict(
    student=dict(_delete_=True, cfg_path='mmiekd::_base_/models/cifar100_wrn16_2.py'),
    teacher=dict(_delete_=True, cfg_path='mmiekd::_base_/models/cifar100_wrn40_2.py'),
    teacher_ckpt='checkpoints/iekd_cifar100_wrn40_2.pth',  # configs/iekd/teachers/cifar100_wrn40_2.py
    ie=dict(student_channels=128, teacher_channels=128, factor_channels=64))
