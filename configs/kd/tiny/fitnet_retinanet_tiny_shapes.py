# configs/kd/fitnet_retinanet_r50_r101.py shrunk for CPU runs on the embedded shapes data: the same method
# settings; only the model sizes (_base_/tiny/retinanet_r18c8.py and its ResNet-34-deep teacher), the data and
# the schedule change.
_base_ = ['./fitnet_faster_rcnn_tiny_shapes.py']
model = dict(
    student=dict(_delete_=True, cfg_path='mmiekd::_base_/tiny/retinanet_r18c8.py'),
    teacher=dict(_delete_=True, cfg_path='mmiekd::_base_/tiny/retinanet_r34c8.py'))
