# mmdet's Faster R-CNN R50-FPN shrunk for CPU runs on the embedded shapes data: ResNet-18 with 8 base
# channels (stages 8/16/32/64), 16-channel FPN. The student of the tiny recipes, and its student-alone run.
_base_ = [
    'mmdet::_base_/models/faster-rcnn_r50_fpn.py',
    '../datasets/shapes_coco_detection.py',
    '../schedules/tiny_iters.py',
    'mmdet::_base_/default_runtime.py',
]
model = dict(
    backbone=dict(depth=18, base_channels=8, init_cfg=None),
    neck=dict(in_channels=[8, 16, 32, 64], out_channels=16),
    rpn_head=dict(in_channels=16, feat_channels=16),
    roi_head=dict(
        bbox_roi_extractor=dict(out_channels=16),
        bbox_head=dict(in_channels=16, fc_out_channels=32, num_classes=6)))
default_hooks = dict(logger=dict(interval=20), checkpoint=dict(by_epoch=False, interval=300))
log_processor = dict(by_epoch=False)
