# FitNet on GFL FPN (P3-P7): student ResNet-50, teacher ResNet-101 (mmdet's configs and
# model-zoo teacher), every FPN level (256 channels in both) mimicked; mmdet's 1x schedule.
_base_ = ['./fitnet_faster_rcnn_r50_r101.py']
model = dict(
    student=dict(_delete_=True, cfg_path='mmdet::gfl/gfl_r50_fpn_1x_coco.py'),
    teacher=dict(_delete_=True, cfg_path='mmdet::gfl/gfl_r101_fpn_ms-2x_coco.py'),
    teacher_ckpt='https://download.openmmlab.com/mmdetection/v2.0/gfl/gfl_r101_fpn_mstrain_2x_coco/gfl_r101_fpn_mstrain_2x_coco_20200629_200126-dd12f847.pth')
