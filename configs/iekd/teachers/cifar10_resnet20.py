# The small CIFAR-10 ResNet-20 teacher of the paper's Fig. 1b, trained alone (160 epochs).
_base_ = ['./cifar10_resnet56.py']
model = dict(backbone=dict(arch='resnet20'))
