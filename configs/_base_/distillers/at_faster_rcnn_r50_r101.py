# Attention transfer (AT) on the FPN: Faster R-CNN FPN, student ResNet-50, teacher ResNet-101 (mmdet's own
# configs). Every level's spatial attention map (channel mean of x^2, L2-normalised) mimics the teacher's;
# weight 500 per level, the AT paper's beta = 1000 with its 1/2 factor.
model = dict(
    type='mmiekd.SingleTeacherDistiller',
    student=dict(cfg_path='mmdet::faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py'),
    teacher=dict(cfg_path='mmdet::faster_rcnn/faster-rcnn_r101_fpn_1x_coco.py'),
    teacher_ckpt='https://download.openmmlab.com/mmdetection/v2.0/faster_rcnn/faster_rcnn_r101_fpn_1x_coco/faster_rcnn_r101_fpn_1x_coco_20200130-f513f705.pth',
    distill=dict(fpn=dict(student='neck', teacher='neck', loss=dict(type='mmiekd.ATLoss', loss_weight=500.0))))
custom_hooks = [dict(type='mmiekd.TeacherValHook')]
# mmiekd's runner: crash-safe checkpoints, safe loading, CPU SyncBN (see mmiekd.DistillRunner).
runner_type = 'mmiekd.DistillRunner'
