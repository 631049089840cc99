# SSKD for detection: Faster R-CNN FPN, student ResNet-50, teacher ResNet-101 (mmdet's own configs). The four
# ResNet stages (256/512/1024/2048 channels in both, so no connector) are transferred one by one, then the head
# phase trains neck + RPN + RoI head with the detection losses, backbone frozen. The student's backbone starts
# from mmdet's ImageNet weights like the student alone, with no stage frozen by mmdet (SSKD decides).
model = dict(
    type='mmiekd.SSKDDistiller',
    student=dict(cfg_path='mmdet::faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py', backbone=dict(frozen_stages=-1)),
    teacher=dict(cfg_path='mmdet::faster_rcnn/faster-rcnn_r101_fpn_1x_coco.py'),
    teacher_ckpt='https://download.openmmlab.com/mmdetection/v2.0/faster_rcnn/faster_rcnn_r101_fpn_1x_coco/faster_rcnn_r101_fpn_1x_coco_20200130-f513f705.pth',
    stages=[
        dict(student='backbone.layer1', teacher='backbone.layer1', length=1),
        dict(student='backbone.layer2', teacher='backbone.layer2', length=1),
        dict(student='backbone.layer3', teacher='backbone.layer3', length=1),
        dict(student='backbone.layer4', teacher='backbone.layer4', length=1),
    ],
    # Four cheap backbone epochs, then the head phase with the student alone's whole 1x schedule (12 epochs).
    head_length=12)
custom_hooks = [dict(type='mmiekd.SSKDStageHook', by_epoch=True, restart_lr=True)]
# mmiekd's runner: crash-safe checkpoints, safe loading, CPU SyncBN (see mmiekd.DistillRunner).
runner_type = 'mmiekd.DistillRunner'
# Under DDP: the parameters that train change at each stage boundary (mmiekd.StageDistributedDataParallel).
model_wrapper_cfg = dict(type='mmiekd.StageDistributedDataParallel')
