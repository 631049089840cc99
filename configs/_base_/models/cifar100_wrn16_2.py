# WRN-16-2 (0.70M parameters) classifier for CIFAR-100; its last feature (after the final BN-ReLU) has 128
# channels.
_base_ = ['./cifar100_resnet20.py']
model = dict(backbone=dict(_delete_=True, type='mmiekd.WideResNet', arch='wrn_16_2'), head=dict(in_channels=128))
