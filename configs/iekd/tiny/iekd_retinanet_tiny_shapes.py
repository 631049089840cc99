# configs/iekd/retinanet_r50_r101.py shrunk for CPU runs on the embedded shapes data (16-channel FPN levels
# factorised into 8): the same method settings; model sizes, data and schedule change.
_base_ = ['./iekd_faster_rcnn_tiny_shapes.py']
model = dict(
    student=dict(_delete_=True, cfg_path='mmiekd::_base_/tiny/retinanet_r18c8.py'),
    teacher=dict(_delete_=True, cfg_path='mmiekd::_base_/tiny/retinanet_r34c8.py'))
