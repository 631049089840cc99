"""mmcv's CPU detection ops (NMS, RoIAlign) inside mmiekd's bf16/fp16 CPU autocast regions.

mmcv 2.1.0 compiles its CPU ``nms`` and ``roi_align`` kernels for fp32 only, so a detector trained with
``--amp`` on CPU (bf16 autocast), or a teacher run with ``teacher_precision='bf16'``, fails with "expected
scalar type Float but found BFloat16". mmcv's ops are pybind functions that autocast does not see, so
:func:`mmcv_cpu_half_ops` is entered exactly where mmiekd itself opens an autocast region
(:class:`~mmiekd.engine.optimizers.CPUAutocastOptimWrapper` and a reduced-precision teacher): inside it, the
two ops take half-precision CPU inputs by running in fp32 and returning their results in the inputs'
precision. CUDA inputs and fp32 inputs are passed through untouched. On leaving the region, mmcv's functions
are restored: outside it (and after ``import mmiekd``) mmcv is exactly as shipped.
"""
import functools
import importlib
import threading
from contextlib import contextmanager

import torch

_HALF = (torch.bfloat16, torch.float16)
_LOCK = threading.Lock()
_DEPTH = [0]
_ORIGINALS = {}


def _fp32_for_cpu_half(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        half = [a.dtype for a in args if isinstance(a, torch.Tensor) and a.device.type == 'cpu' and a.dtype in _HALF]
        if not half:
            return fn(*args, **kwargs)
        args = tuple(a.float() if isinstance(a, torch.Tensor) and a.dtype in _HALF else a for a in args)
        with torch.autocast('cpu', enabled=False):
            result = fn(*args, **kwargs)
        # Back to the caller's precision (mmdet writes RoI features into a tensor of the features' dtype).
        back = (lambda t: t.to(half[0]) if isinstance(t, torch.Tensor) and t.is_floating_point() else t)
        return tuple(back(r) for r in result) if isinstance(result, tuple) else back(result)

    return wrapper


# `mmcv.ops.nms` as an attribute is the re-exported function: `batched_nms` looks `nms` up in its own
# module, `RoIAlign.forward` calls `roi_align` of its module.
_TARGETS = (('mmcv.ops.nms', 'nms'), ('mmcv.ops.roi_align', 'roi_align'))


@contextmanager
def mmcv_cpu_half_ops():
    """Within this context, mmcv's CPU ``nms``/``roi_align`` accept bf16/fp16 inputs (re-entrant).

    Without mmcv's compiled ops installed this is a no-op.
    """
    with _LOCK:
        if _DEPTH[0] == 0:
            try:
                modules = [(importlib.import_module(m), name) for m, name in _TARGETS]
            except ImportError:
                modules = []
            for module, name in modules:
                original = getattr(module, name)
                _ORIGINALS[(module, name)] = original
                setattr(module, name, _fp32_for_cpu_half(original))
        _DEPTH[0] += 1
    try:
        yield
    finally:
        with _LOCK:
            _DEPTH[0] -= 1
            if _DEPTH[0] == 0:
                for (module, name), original in _ORIGINALS.items():
                    setattr(module, name, original)
                _ORIGINALS.clear()
