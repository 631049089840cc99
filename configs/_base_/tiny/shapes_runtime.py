# What every tiny detection config adds to its model: the embedded shapes data, the short iteration schedule
# and mmdet's runtime, with the log and checkpoint intervals of short runs.
_base_ = ['../datasets/shapes_coco_detection.py', '../schedules/tiny_iters.py', 'mmdet::_base_/default_runtime.py']
default_hooks = dict(logger=dict(interval=20), checkpoint=dict(by_epoch=False, interval=300))
log_processor = dict(by_epoch=False)
