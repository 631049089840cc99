# IE-KD on Cascade R-CNN FPN (P2-P6): student ResNet-50, teacher ResNet-101 (mmdet's configs and
# model-zoo teacher); each FPN level (256 channels) factorised into 128, as the Faster R-CNN recipe.
_base_ = ['./faster_rcnn_r50_r101.py']
model = dict(
    student=dict(_delete_=True, cfg_path='mmdet::cascade_rcnn/cascade-rcnn_r50_fpn_1x_coco.py'),
    teacher=dict(_delete_=True, cfg_path='mmdet::cascade_rcnn/cascade-rcnn_r101_fpn_1x_coco.py'),
    teacher_ckpt='https://download.openmmlab.com/mmdetection/v2.0/cascade_rcnn/cascade_rcnn_r101_fpn_1x_coco/cascade_rcnn_r101_fpn_1x_coco_20200317-0b6a2fbf.pth')
