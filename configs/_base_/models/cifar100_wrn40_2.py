# WRN-40-2 (2.26M parameters) classifier for CIFAR-100; last feature 128 channels.
_base_ = ['./cifar100_wrn16_2.py']
model = dict(backbone=dict(arch='wrn_40_2'))
