# mmdet's GFL R50-FPN shrunk for CPU runs (model only): ResNet-18 with 8 base channels, 16-channel FPN (P3-P7)
# and head with GN of 4 groups, 6 classes, from scratch.
_base_ = ['mmdet::gfl/gfl_r50_fpn_1x_coco.py']
model = dict(
    backbone=dict(depth=18, base_channels=8, init_cfg=None, frozen_stages=-1, norm_eval=False),
    neck=dict(in_channels=[8, 16, 32, 64], out_channels=16),
    bbox_head=dict(num_classes=6, in_channels=16, feat_channels=16, stacked_convs=1,
                   norm_cfg=dict(type='GN', num_groups=4, requires_grad=True), anchor_generator=dict(octave_base_scale=4)))
