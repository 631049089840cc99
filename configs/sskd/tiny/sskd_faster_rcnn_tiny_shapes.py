# The SSKD detection recipe shrunk for CPU runs on the embedded shapes data: the same stages; only the model
# sizes (the tiny configs in _base_/tiny, so connectors bridge 8/16/32/64 to 16/32/64/128 channels), the data and
# the schedule (iterations: 40 per stage, then 140 of head) change.
_base_ = [
    '../../_base_/distillers/sskd_faster_rcnn_r50_r101.py',
    '../../_base_/tiny/shapes_runtime.py',
]
_connector = dict(type='mmiekd.ConvConnector')
model = dict(
    student=dict(_delete_=True, cfg_path='mmiekd::_base_/tiny/faster_rcnn_r18c8_shapes.py'),
    teacher=dict(_delete_=True, cfg_path='mmiekd::_base_/tiny/faster_rcnn_r18c16_shapes.py'),
    teacher_ckpt=None,
    stages=[
        dict(student=f'backbone.layer{i + 1}', teacher=f'backbone.layer{i + 1}', length=40,
             connector=dict(_connector, in_channels=8 * 2**i, out_channels=16 * 2**i)) for i in range(4)
    ],
    head_length=140)
custom_hooks = [dict(type='mmiekd.SSKDStageHook', by_epoch=False)]
