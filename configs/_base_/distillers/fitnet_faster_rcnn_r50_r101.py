# FitNet on the FPN: Faster R-CNN FPN, student ResNet-50, teacher ResNet-101, both mmdet's own configs.
model = dict(
    type='mmiekd.SingleTeacherDistiller',
    student=dict(cfg_path='mmdet::faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py'),
    teacher=dict(cfg_path='mmdet::faster_rcnn/faster-rcnn_r101_fpn_1x_coco.py'),
    # mmdet's model-zoo checkpoint of the R101 teacher (37.4 box AP): downloaded once into the torch hub cache.
    teacher_ckpt='https://download.openmmlab.com/mmdetection/v2.0/faster_rcnn/faster_rcnn_r101_fpn_1x_coco/faster_rcnn_r101_fpn_1x_coco_20200130-f513f705.pth',
    distill=dict(
        # Every FPN level (P2-P6) of the student mimics the teacher's; both necks are 256 channels wide. Weight
        # 3, chosen on the embedded detection track with its plateaued teacher (1: no better than the student
        # alone; 3: better; 10: no better than 3; README.md, "The main job").
        fpn=dict(student='neck', teacher='neck',
                 loss=dict(type='mmiekd.FeatureMSELoss', loss_weight=3.0))))
# The teacher's val metrics are logged once at the start and beside the student's at every validation.
custom_hooks = [dict(type='mmiekd.TeacherValHook')]
# mmiekd's runner: crash-safe checkpoints, safe loading, CPU SyncBN (see mmiekd.DistillRunner).
runner_type = 'mmiekd.DistillRunner'
