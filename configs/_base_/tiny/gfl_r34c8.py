# The tiny GFL teacher: gfl_r18c8.py with a ResNet-34's depth.
_base_ = ['./gfl_r18c8.py']
model = dict(backbone=dict(depth=34))
