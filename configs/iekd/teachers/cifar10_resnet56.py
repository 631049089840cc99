# The CIFAR-10 ResNet-56 teacher, trained alone with the authors' recipe (160 epochs).
_base_ = ['./cifar100_resnet56.py']
data_preprocessor = dict(num_classes=10, mean=[125.307, 122.961, 113.8575], std=[51.5865, 50.847, 51.255])
train_dataloader = dict(dataset=dict(type='CIFAR10', data_root='data/cifar10'))
val_dataloader = dict(dataset=dict(type='CIFAR10', data_root='data/cifar10/'))
test_dataloader = val_dataloader
model = dict(head=dict(num_classes=10))
