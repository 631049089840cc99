# An equal-width tiny teacher: as faster_rcnn_r18c8_shapes.py (stages 8/16/32/64) with a ResNet-34's depth
# (3/4/6/3 blocks per stage), so that its stages fit the student's without connectors (IAKD).
_base_ = ['./faster_rcnn_r18c8_shapes.py']
model = dict(backbone=dict(depth=34))
