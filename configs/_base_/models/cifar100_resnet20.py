# CIFAR ResNet-20 (16/32/64 channels, 0.28M parameters) classifier for CIFAR-100, in mmpretrain's
# ImageClassifier. Normalisation comes with the dataset config (mmpretrain's convention).
model = dict(
    type='mmpretrain.ImageClassifier',
    backbone=dict(type='mmiekd.CIFARResNet', arch='resnet20'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=100, in_channels=64,
              loss=dict(type='CrossEntropyLoss', loss_weight=1.0)))
