# IE-KD on GFL FPN (P3-P7): student ResNet-50, teacher ResNet-101 (mmdet's configs and
# model-zoo teacher); each FPN level (256 channels) factorised into 128, as the Faster R-CNN recipe.
_base_ = ['./faster_rcnn_r50_r101.py']
model = dict(
    # IE's weights 4 times the Faster R-CNN recipe's (inheritance 3.2, exploration 0.032): on GFL's neck IE's
    # share fell 3.7-5.2x per level from the tiny recipes' 128 px to 512 px (loss_balance.py,
    # docs/loss_balance.md); the tiny recipe keeps 0.8 / 0.008.
    ie=dict(inheritance=dict(loss_weight=3.2), exploration=dict(loss_weight=0.032)),
    student=dict(_delete_=True, cfg_path='mmdet::gfl/gfl_r50_fpn_1x_coco.py'),
    teacher=dict(_delete_=True, cfg_path='mmdet::gfl/gfl_r101_fpn_ms-2x_coco.py'),
    teacher_ckpt='https://download.openmmlab.com/mmdetection/v2.0/gfl/gfl_r101_fpn_mstrain_2x_coco/gfl_r101_fpn_mstrain_2x_coco_20200629_200126-dd12f847.pth')
