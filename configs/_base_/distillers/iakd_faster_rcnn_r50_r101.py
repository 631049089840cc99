# IAKD for detection (our extension: the paper is classification only): the ResNet stages 2-4 of the
# Faster R-CNN R101 teacher are swapped into the R50 student (equal widths 512/1024/2048); the hybrid
# network trains with the detector's own losses; p falls from 0.5 to 0 over the first 9 of 12 epochs.
# The student keeps mmdet's `frozen_stages=1` (stem and layer1 frozen, as the student alone trains), so
# layer1, which would train nothing, is not swapped (the distiller refuses a frozen block).
model = dict(
    type='mmiekd.IAKDDistiller',
    student=dict(cfg_path='mmdet::faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py'),
    teacher=dict(cfg_path='mmdet::faster_rcnn/faster-rcnn_r101_fpn_1x_coco.py'),
    teacher_ckpt='https://download.openmmlab.com/mmdetection/v2.0/faster_rcnn/faster_rcnn_r101_fpn_1x_coco/faster_rcnn_r101_fpn_1x_coco_20200130-f513f705.pth',
    blocks=[dict(student=f'backbone.layer{i}', teacher=f'backbone.layer{i}') for i in range(2, 5)],
    swap_prob=0.5)
# No `find_unused_parameters`: the parameters a step does not use (swapped student blocks, idle connectors)
# get an exact zero gradient (their sum times 0 in the total loss), so DDP reduces every parameter in every step.
custom_hooks = [
    dict(type='mmiekd.IAKDSwapHook', p_start=0.5, p_end=0.0, schedule='linear', end=9, by_epoch=True),
    dict(type='mmiekd.TeacherValHook'),
]
# mmiekd's runner: crash-safe checkpoints, safe loading, CPU SyncBN (see mmiekd.DistillRunner).
runner_type = 'mmiekd.DistillRunner'
