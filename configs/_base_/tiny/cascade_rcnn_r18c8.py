# mmdet's Cascade R-CNN R50-FPN shrunk for CPU runs (model only), as faster_rcnn_r18c8_shapes.py: ResNet-18 with
# 8 base channels, 16-channel FPN (P2-P6), small anchors, three 6-class box heads on 16-channel RoI features
# (each stage's box coder as mmdet's).
_base_ = ['mmdet::_base_/models/cascade-rcnn_r50_fpn.py']


def _head(stds):
    return dict(
        type='Shared2FCBBoxHead', in_channels=16, fc_out_channels=256, roi_feat_size=7, num_classes=6,
        bbox_coder=dict(type='DeltaXYWHBBoxCoder', target_means=[0., 0., 0., 0.], target_stds=stds),
        reg_class_agnostic=True,
        loss_cls=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0),
        loss_bbox=dict(type='SmoothL1Loss', beta=1.0, loss_weight=1.0))


model = dict(
    backbone=dict(depth=18, base_channels=8, init_cfg=None, frozen_stages=-1, norm_eval=False),
    neck=dict(in_channels=[8, 16, 32, 64], out_channels=16),
    rpn_head=dict(in_channels=16, feat_channels=16, anchor_generator=dict(scales=[4])),
    roi_head=dict(bbox_roi_extractor=dict(out_channels=16),
                  bbox_head=[_head([0.1, 0.1, 0.2, 0.2]), _head([0.05, 0.05, 0.1, 0.1]),
                             _head([0.033, 0.033, 0.067, 0.067])]))
