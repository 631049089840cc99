# What every tiny classification config adds to its model: the embedded digits data, the short iteration
# schedule and the runtime of short runs.
_base_ = ['../datasets/digits_32px.py', '../schedules/tiny_cls_iters.py', '../tiny_digits_runtime.py']
