# Attention transfer (AT) on the FPN: Faster R-CNN FPN, student ResNet-50, teacher ResNet-101 (mmdet's own
# configs). Every level's spatial attention map (channel mean of x^2) mimics the teacher's. The maps are
# normalised to unit root mean square (`normalize='rms'`), not to the paper's unit L2 norm, whose loss shrinks as
# 1/(H*W): 260-fold from the embedded track's 64 px to COCO's 800x1344 on every level (docs/loss_balance.md).
# Weight 90 gives the term the gradient share that the paper's beta = 1000 (weight 500 with its 1/2 factor) had at
# 64 px on the track's networks (tools/analysis_tools/loss_balance.py, 3 seeds: 63-102, geometric mean 86).
model = dict(
    type='mmiekd.SingleTeacherDistiller',
    student=dict(cfg_path='mmdet::faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py'),
    teacher=dict(cfg_path='mmdet::faster_rcnn/faster-rcnn_r101_fpn_1x_coco.py'),
    teacher_ckpt='https://download.openmmlab.com/mmdetection/v2.0/faster_rcnn/faster_rcnn_r101_fpn_1x_coco/faster_rcnn_r101_fpn_1x_coco_20200130-f513f705.pth',
    distill=dict(fpn=dict(student='neck', teacher='neck', loss=dict(type='mmiekd.ATLoss', normalize='rms', loss_weight=90.0))))
custom_hooks = [dict(type='mmiekd.TeacherValHook')]
# mmiekd's runner: crash-safe checkpoints, safe loading, CPU SyncBN (see mmiekd.DistillRunner).
runner_type = 'mmiekd.DistillRunner'
