# The IE-KD detection recipe shrunk for CPU runs on the embedded shapes data: the same method settings; only the
# model sizes (the tiny configs in _base_/tiny, 16-channel FPN, ResNet-34 teacher of the student's widths), the
# data, the schedule and the levels IE applies to change: at 64 px P5/P6 are 2x2 and 1x1 maps, so IE takes P2-P4
# (`levels=[0, 1, 2]`, measured better than P3-P6 on the embedded track, configs/iekd/README.md).
_base_ = [
    '../../_base_/distillers/iekd_faster_rcnn_r50_r101.py',
    '../../_base_/tiny/shapes_runtime.py',
]
model = dict(
    student=dict(_delete_=True, cfg_path='mmiekd::_base_/tiny/faster_rcnn_r18c8_shapes.py'),
    teacher=dict(_delete_=True, cfg_path='mmiekd::_base_/tiny/faster_rcnn_r34c8_shapes.py'),
    teacher_ckpt=None,
    ie=dict(student_channels=16, teacher_channels=16, factor_channels=8, levels=[0, 1, 2]))
custom_hooks = [
    dict(type='mmiekd.IEKDAutoEncoderHook', iters=100, log_interval=20,
         optimizer=dict(type='SGD', lr=0.01, momentum=0.9, nesterov=True, weight_decay=1e-4)),
    dict(type='mmiekd.TeacherValHook'),
]
