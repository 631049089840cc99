# The tiny Cascade R-CNN teacher: cascade_rcnn_r18c8.py with a ResNet-34's depth.
_base_ = ['./cascade_rcnn_r18c8.py']
model = dict(backbone=dict(depth=34))
