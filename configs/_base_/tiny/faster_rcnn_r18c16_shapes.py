# The tiny teacher: as faster_rcnn_r18c8_shapes.py with twice the backbone width (stages 16/32/64/128) and the
# same 16-channel FPN and box head, so FPN features compare without a connector.
_base_ = ['./faster_rcnn_r18c8_shapes.py']
model = dict(
    backbone=dict(base_channels=16),
    neck=dict(in_channels=[16, 32, 64, 128]))
