# Logging and checkpoints of the tiny CIFAR-style runs (iteration-based), on top of mmpretrain's runtime.
_base_ = ['mmpretrain::_base_/default_runtime.py']
default_hooks = dict(logger=dict(interval=20), checkpoint=dict(by_epoch=False, interval=200))
log_processor = dict(by_epoch=False)
