# The tiny FCOS teacher: fcos_r18c8.py with a ResNet-34's depth.
_base_ = ['./fcos_r18c8.py']
model = dict(backbone=dict(depth=34))
