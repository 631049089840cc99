# The tiny RetinaNet teacher: retinanet_r18c8.py with a ResNet-34's depth (same widths, no connector needed).
_base_ = ['./retinanet_r18c8.py']
model = dict(backbone=dict(depth=34))
