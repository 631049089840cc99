# FitNet on Cascade R-CNN FPN (P2-P6): student ResNet-50, teacher ResNet-101 (mmdet's configs and
# model-zoo teacher), every FPN level (256 channels in both) mimicked; mmdet's 1x schedule.
_base_ = ['./fitnet_faster_rcnn_r50_r101.py']
model = dict(
    student=dict(_delete_=True, cfg_path='mmdet::cascade_rcnn/cascade-rcnn_r50_fpn_1x_coco.py'),
    teacher=dict(_delete_=True, cfg_path='mmdet::cascade_rcnn/cascade-rcnn_r101_fpn_1x_coco.py'),
    teacher_ckpt='https://download.openmmlab.com/mmdetection/v2.0/cascade_rcnn/cascade_rcnn_r101_fpn_1x_coco/cascade_rcnn_r101_fpn_1x_coco_20200317-0b6a2fbf.pth')
