# The CIFAR ResNet-56 teacher of the CIFAR recipes trained alone on the embedded digits data (10 classes,
# 32x32): the teacher of the tiny classification recipes (tools/analysis_tools/compare_methods.py).
_base_ = ['./cifar_resnet20_digits.py']
model = dict(backbone=dict(arch='resnet56'))
