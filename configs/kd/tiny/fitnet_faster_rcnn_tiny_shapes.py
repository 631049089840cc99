# The FitNet recipe shrunk for CPU runs on the embedded shapes data: the same distiller base, only the model
# sizes (the tiny configs in _base_/tiny: ResNet-34 teacher, ResNet-18 student of the same widths, as R101 -> R50),
# the data and the schedule change.
_base_ = [
    '../../_base_/distillers/fitnet_faster_rcnn_r50_r101.py',
    '../../_base_/tiny/shapes_runtime.py',
]
model = dict(
    student=dict(_delete_=True, cfg_path='mmiekd::_base_/tiny/faster_rcnn_r18c8_shapes.py'),
    teacher=dict(_delete_=True, cfg_path='mmiekd::_base_/tiny/faster_rcnn_r34c8_shapes.py'),
    teacher_ckpt=None)
