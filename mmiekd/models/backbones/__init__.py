"""CIFAR backbones of the knowledge-distillation zoo (CRD / RepDistiller conventions)."""
from .base_cifar import BaseCIFARBackbone
from .cifar_mobilenetv2 import CIFARMobileNetV2
from .cifar_resnet import CIFARResNet
from .cifar_vgg import CIFARVGG
from .wide_resnet import WideResNet

__all__ = ['BaseCIFARBackbone', 'CIFARResNet', 'WideResNet', 'CIFARVGG', 'CIFARMobileNetV2']
