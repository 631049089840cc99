# The CIFAR ResNet-56 teacher of the CIFAR recipes trained alone on the embedded digits data (10 classes,
# 32x32): the teacher of the tiny classification recipes (tools/analysis_tools/compare_methods.py).
_base_ = [
    '../models/cifar100_resnet56.py',
    '../datasets/digits_32px.py',
    '../schedules/tiny_cls_iters.py',
    '../tiny_digits_runtime.py',
]
model = dict(head=dict(num_classes=10))
