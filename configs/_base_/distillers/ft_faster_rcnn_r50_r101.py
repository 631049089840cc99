# Factor transfer (FT) on the FPN: Faster R-CNN FPN, student ResNet-50, teacher ResNet-101 (mmdet's own
# configs). As in the FT paper, the teacher's paraphraser (an auto-encoder of its 256-channel FPN levels into
# 128-channel factors, one for all levels) is trained first by reconstruction (phase 1, IEKDAutoEncoderHook,
# the teacher frozen), then frozen while the student's translator matches its factors. The factor distance is the
# scale-free form (`normalize='rms'`, see configs/_base_/distillers/iekd_faster_rcnn_r50_r101.py); weight 140 gives
# it the gradient share that the authors' form at their weight 500 had at 64 px on the embedded track's networks
# (tools/analysis_tools/loss_balance.py, 3 seeds: 85-177, geometric mean 135).
model = dict(
    type='mmiekd.SingleTeacherDistiller',
    student=dict(cfg_path='mmdet::faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py'),
    teacher=dict(cfg_path='mmdet::faster_rcnn/faster-rcnn_r101_fpn_1x_coco.py'),
    teacher_ckpt='https://download.openmmlab.com/mmdetection/v2.0/faster_rcnn/faster_rcnn_r101_fpn_1x_coco/faster_rcnn_r101_fpn_1x_coco_20200130-f513f705.pth',
    distill=dict(fpn=dict(student='neck', teacher='neck',
                          loss=dict(type='mmiekd.FTLoss', student_channels=256, teacher_channels=256,
                                    factor_channels=128, normalize='rms', loss_weight=140.0))))
custom_hooks = [
    # Phase 1: one epoch of the training data trains the paraphraser.
    dict(type='mmiekd.IEKDAutoEncoderHook', epochs=1,
         optimizer=dict(type='SGD', lr=0.01, momentum=0.9, nesterov=True, weight_decay=1e-4)),
    dict(type='mmiekd.TeacherValHook'),
]
# mmiekd's runner: crash-safe checkpoints, safe loading, CPU SyncBN (see mmiekd.DistillRunner).
runner_type = 'mmiekd.DistillRunner'
