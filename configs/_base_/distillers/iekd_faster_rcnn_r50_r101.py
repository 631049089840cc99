# IE-KD for detection (our extension of the paper): Faster R-CNN FPN, student ResNet-50, teacher ResNet-101
# (mmdet's own configs). The FPN levels P3-P6 (256 channels; `levels=[1, 2, 3, 4]` of the five) are each
# factorised by their own teacher auto-encoder into 128 channels; the student's 256 channels split 128 inherit /
# 128 explore per level. P2 is left out: it holds 3/4 of the FPN's pixels and of IE's cost (1.34x a student step
# with it, 1.21x without, R101 -> R50 at 320 px on CPU; docs/benchmark.md).
# The IE terms ride on FitNet's feature term (every FPN level mimics the teacher's), as the paper's IE-KD rides on
# Hinton's KD term: on the embedded detection track IE's terms alone (any weights, levels or factor size tried)
# were no better than the student alone. The feature term's weight 3 was chosen on that track with its teacher
# trained to its plateau (configs/iekd/README.md: at 1 IE-KD was no better than the student alone, 10 was worse).
# The IE distances are the scale-free form (`normalize='rms'`: each factor map normalised to unit root mean square
# instead of unit L2 norm): with the authors' form the pull of a weight shrinks with the map size, 2,000-5,000 times
# from the track's 64 px to COCO's 800x1333 (docs/loss_balance.md). Inheritance 0.8 and exploration 0.008 give the
# terms the gradient share that the authors' form had at the weights chosen on the track (10 and 0.1), measured by
# tools/analysis_tools/loss_balance.py on the track's networks at 64 px (3 seeds: 0.8 and 0.008 within 5 %).
model = dict(
    type='mmiekd.IEKDDistiller',
    student=dict(cfg_path='mmdet::faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py'),
    teacher=dict(cfg_path='mmdet::faster_rcnn/faster-rcnn_r101_fpn_1x_coco.py'),
    teacher_ckpt='https://download.openmmlab.com/mmdetection/v2.0/faster_rcnn/faster_rcnn_r101_fpn_1x_coco/faster_rcnn_r101_fpn_1x_coco_20200130-f513f705.pth',
    ie=dict(
        student='neck', teacher='neck', num_levels=5, levels=[1, 2, 3, 4], shared=False,
        student_channels=256, teacher_channels=256, factor_channels=128,
        split='natural',
        inheritance=dict(type='mmiekd.IEInheritanceLoss', normalize='rms', loss_weight=0.8),
        exploration=dict(type='mmiekd.IEExplorationLoss', form='norm', normalize='rms', loss_weight=0.008)),
    distill=dict(fpn=dict(student='neck', teacher='neck', loss=dict(type='mmiekd.FeatureMSELoss', loss_weight=3.0))))
custom_hooks = [
    # Phase 1: one epoch of the training data (7,330 iterations of 16 COCO images) trains the auto-encoders.
    dict(type='mmiekd.IEKDAutoEncoderHook', epochs=1,
         optimizer=dict(type='SGD', lr=0.01, momentum=0.9, nesterov=True, weight_decay=1e-4)),
    dict(type='mmiekd.TeacherValHook'),
]
# mmiekd's runner: crash-safe checkpoints, safe loading, CPU SyncBN (see mmiekd.DistillRunner).
runner_type = 'mmiekd.DistillRunner'
