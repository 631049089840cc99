# mmdet's Faster R-CNN R50-FPN shrunk for CPU runs on the embedded shapes data: ResNet-18 with 8 base
# channels (stages 8/16/32/64), 16-channel FPN. The student of the tiny recipes, and its student-alone run.
# Besides the sizes, what training from scratch on 128 px images needs (mmdet's values assume ImageNet weights
# and 800 px COCO images): no frozen stem or BN statistics, anchors of 16-256 px (scale 4) for objects of
# 10-60 px, and 64 sampled RoIs per image instead of 512 for images with a handful of objects.
_base_ = [
    'mmdet::_base_/models/faster-rcnn_r50_fpn.py',
    './shapes_runtime.py',
]
model = dict(
    backbone=dict(depth=18, base_channels=8, init_cfg=None, frozen_stages=-1, norm_eval=False),
    neck=dict(in_channels=[8, 16, 32, 64], out_channels=16),
    rpn_head=dict(in_channels=16, feat_channels=16, anchor_generator=dict(scales=[4])),
    roi_head=dict(
        bbox_roi_extractor=dict(out_channels=16),
        bbox_head=dict(in_channels=16, fc_out_channels=256, num_classes=6)),
    train_cfg=dict(rcnn=dict(sampler=dict(num=64))))
