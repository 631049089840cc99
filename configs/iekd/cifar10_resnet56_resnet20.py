# IE-KD on CIFAR-10: ResNet-56 teacher, ResNet-20 student (the paper's CIFAR-10 table). As the CIFAR-100
# recipe with mmpretrain's CIFAR10 data (values of mmpretrain's cifar10_bs16.py).
_base_ = ['./cifar100_resnet56_resnet20.py']
data_preprocessor = dict(num_classes=10, mean=[125.307, 122.961, 113.8575], std=[51.5865, 50.847, 51.255])
train_dataloader = dict(dataset=dict(type='CIFAR10', data_root='data/cifar10'))
val_dataloader = dict(dataset=dict(type='CIFAR10', data_root='data/cifar10/'))
test_dataloader = val_dataloader
model = dict(
    student=dict(head=dict(num_classes=10)),
    teacher=dict(head=dict(num_classes=10)),
    teacher_ckpt='checkpoints/iekd_cifar10_resnet56.pth')  # configs/iekd/teachers/cifar10_resnet56.py
