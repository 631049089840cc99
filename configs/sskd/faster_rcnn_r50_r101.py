# SSKD on COCO: Faster R-CNN FPN R50 student, R101 teacher; 12 epochs (8 GPUs x 2 images) split into four
# one-epoch backbone stages and an eight-epoch head phase; the LR schedule restarts at each stage.
_base_ = [
    '../_base_/distillers/sskd_faster_rcnn_r50_r101.py',
    'mmdet::_base_/datasets/coco_detection.py',
    'mmdet::_base_/schedules/schedule_1x.py',
    'mmdet::_base_/default_runtime.py',
]
# Per stage (restarted by SSKDStageHook): 500-iteration warm-up; the head phase decays at its epochs 6 and 7.
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=500),
    dict(type='MultiStepLR', begin=0, end=12, by_epoch=True, milestones=[10, 11], gamma=0.1),
]
