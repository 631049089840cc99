# SSKD on COCO: Faster R-CNN FPN R50 student, R101 teacher; 12 epochs (8 GPUs x 2 images) split into four
# one-epoch backbone stages and an eight-epoch head phase; the LR schedule restarts at each stage.
_base_ = [
    '../_base_/distillers/sskd_faster_rcnn_r50_r101.py',
    'mmdet::_base_/datasets/coco_detection.py',
    'mmdet::_base_/schedules/schedule_1x.py',
    'mmdet::_base_/default_runtime.py',
]
# The schedule of one phase, replayed from each stage boundary by SSKDStageHook(restart_lr=True): a
# 500-iteration warm-up, then lr 0.02, divided by 10 after 6 and 7 epochs of the phase. The one-epoch stages
# never reach a decay; the eight-epoch head phase decays at its epochs 7 and 8 (training epochs 11 and 12,
# as mmdet's 1x decays after epochs 10 and 11).
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=500),
    dict(type='MultiStepLR', begin=0, end=8, by_epoch=True, milestones=[6, 7], gamma=0.1),
]
