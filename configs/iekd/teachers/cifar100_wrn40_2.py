# The CIFAR-100 WRN-40-2 teacher, trained alone (160 epochs).
_base_ = ['./cifar100_resnet56.py']
model = dict(backbone=dict(_delete_=True, type='mmiekd.WideResNet', arch='wrn_40_2'), head=dict(in_channels=128))
