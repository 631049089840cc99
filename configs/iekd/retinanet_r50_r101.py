# IE-KD on a one-stage detector, to show the method is not tied to Faster R-CNN: RetinaNet FPN on COCO,
# student ResNet-50, teacher ResNet-101 (mmdet's configs), 1x schedule. RetinaNet's FPN has 5 levels
# (P3-P7) of 256 channels.
_base_ = ['./faster_rcnn_r50_r101.py']
model = dict(
    student=dict(_delete_=True, cfg_path='mmdet::retinanet/retinanet_r50_fpn_1x_coco.py'),
    teacher=dict(_delete_=True, cfg_path='mmdet::retinanet/retinanet_r101_fpn_1x_coco.py'),
    teacher_ckpt='https://download.openmmlab.com/mmdetection/v2.0/retinanet/retinanet_r101_fpn_1x_coco/retinanet_r101_fpn_1x_coco_20200130-7a93545f.pth')
# RetinaNet's own optimizer settings in mmdet's config.
optim_wrapper = dict(optimizer=dict(lr=0.01))
