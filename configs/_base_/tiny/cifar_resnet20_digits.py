# The CIFAR ResNet-20 student of the CIFAR recipes trained alone on the embedded digits data (10 classes,
# 32x32): the student-alone run of the tiny classification recipes (tools/analysis_tools/compare_methods.py).
_base_ = [
    '../models/cifar100_resnet20.py',
    './digits_runtime.py',
]
model = dict(head=dict(num_classes=10))
