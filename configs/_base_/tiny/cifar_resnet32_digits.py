# The CIFAR ResNet-32 of the IE-DML recipe trained alone on the embedded digits data: IE-DML's student alone
# (tools/analysis_tools/compare_methods.py --task cls --student resnet32 --methods iedml).
_base_ = './cifar_resnet20_digits.py'
model = dict(backbone=dict(arch='resnet32'))
