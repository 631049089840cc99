# IE-KD with a teacher SMALLER than the student (the paper's Fig. 1b): ResNet-20 teaches ResNet-56 on
# CIFAR-10. Plain KD hurts here; exploration lets the student go beyond the small teacher.
_base_ = ['./cifar10_resnet56_resnet20.py']
model = dict(
    student=dict(cfg_path='mmiekd::_base_/models/cifar100_resnet56.py'),
    teacher=dict(cfg_path='mmiekd::_base_/models/cifar100_resnet20.py'),
    teacher_ckpt='checkpoints/iekd_cifar10_resnet20.pth')  # configs/iekd/teachers/cifar10_resnet20.py
