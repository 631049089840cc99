# mmdet's RetinaNet R50-FPN shrunk for CPU runs (model only; the tiny recipes add the shapes data): ResNet-18
# with 8 base channels (stages 8/16/32/64), 16-channel FPN (P3-P7), 6 classes, trained from scratch.
_base_ = ['mmdet::_base_/models/retinanet_r50_fpn.py']
model = dict(
    backbone=dict(depth=18, base_channels=8, init_cfg=None, frozen_stages=-1, norm_eval=False),
    neck=dict(in_channels=[8, 16, 32, 64], out_channels=16),
    bbox_head=dict(num_classes=6, in_channels=16, feat_channels=16, stacked_convs=1,
                   anchor_generator=dict(octave_base_scale=2)))
