# The SSKD detection recipe shrunk for CPU runs on the embedded shapes data: the same method; only the model
# sizes (the tiny configs in _base_/tiny: a ResNet-34 teacher of the student's widths, so stages are mimicked without
# connectors, as mmdet's R101 -> R50), the data and the schedule change. Schedule: four backbone stages of 100
# iterations, then the head phase with the student alone's whole schedule (300 iterations: warm-up 50, LR /10 at
# 240): `restart_lr` replays `param_scheduler` from each stage and from the head phase. Measured on the embedded
# track: a head phase shorter than the student alone's training loses whatever the stages (configs/sskd/README.md).
_base_ = [
    '../../_base_/distillers/sskd_faster_rcnn_r50_r101.py',
    '../../_base_/tiny/shapes_runtime.py',
]
model = dict(
    student=dict(_delete_=True, cfg_path='mmiekd::_base_/tiny/faster_rcnn_r18c8_shapes.py'),
    teacher=dict(_delete_=True, cfg_path='mmiekd::_base_/tiny/faster_rcnn_r34c8_shapes.py'),
    teacher_ckpt=None,
    stages=[dict(student=f'backbone.layer{i}', teacher=f'backbone.layer{i}', length=100) for i in range(1, 5)],
    head_length=300)
train_cfg = dict(max_iters=700, val_interval=700)
custom_hooks = [dict(type='mmiekd.SSKDStageHook', by_epoch=False, restart_lr=True)]
