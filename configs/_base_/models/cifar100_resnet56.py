# CIFAR ResNet-56 (16/32/64 channels, 0.86M parameters) classifier for CIFAR-100.
_base_ = ['./cifar100_resnet20.py']
model = dict(backbone=dict(arch='resnet56'))
