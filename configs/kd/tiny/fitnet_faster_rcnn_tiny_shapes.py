# The FitNet recipe shrunk for CPU runs on the embedded shapes data: the same distiller base, only the model
# sizes, the data and the schedule change. Student ResNet-18 (8 base channels), teacher ResNet-18 (16).
_base_ = [
    '../../_base_/distillers/fitnet_faster_rcnn_r50_r101.py',
    '../../_base_/datasets/shapes_coco_detection.py',
    '../../_base_/schedules/tiny_iters.py',
    'mmdet::_base_/default_runtime.py',
]
_num_classes = 6
model = dict(
    student=dict(
        backbone=dict(depth=18, base_channels=8, init_cfg=None),
        neck=dict(in_channels=[8, 16, 32, 64], out_channels=16),
        rpn_head=dict(in_channels=16, feat_channels=16),
        roi_head=dict(
            bbox_roi_extractor=dict(out_channels=16),
            bbox_head=dict(in_channels=16, fc_out_channels=32, num_classes=_num_classes))),
    teacher=dict(
        backbone=dict(depth=18, base_channels=16, init_cfg=None),
        neck=dict(in_channels=[16, 32, 64, 128], out_channels=16),
        rpn_head=dict(in_channels=16, feat_channels=16),
        roi_head=dict(
            bbox_roi_extractor=dict(out_channels=16),
            bbox_head=dict(in_channels=16, fc_out_channels=64, num_classes=_num_classes))),
    teacher_ckpt=None)
default_hooks = dict(logger=dict(interval=20), checkpoint=dict(by_epoch=False, interval=300))
log_processor = dict(by_epoch=False)
