# AT baseline on COCO: Faster R-CNN FPN R50 student, R101 teacher, mmdet's 1x schedule (8 GPUs x 2 imgs).
_base_ = [
    '../_base_/distillers/at_faster_rcnn_r50_r101.py',
    'mmdet::_base_/datasets/coco_detection.py',
    'mmdet::_base_/schedules/schedule_1x.py',
    'mmdet::_base_/default_runtime.py',
]
