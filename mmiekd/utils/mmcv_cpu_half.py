"""mmcv's CPU detection ops (NMS, RoIAlign) in bf16/fp16 programs.

mmcv 2.1.0 compiles its CPU ``nms`` and ``roi_align`` kernels for fp32 only, so a detector trained with
``--amp`` on CPU (bf16 autocast), or a teacher run with ``teacher_precision='bf16'``, fails with "expected
scalar type Float but found BFloat16". :func:`install_mmcv_cpu_half_ops` makes these two ops take half-precision
CPU inputs by running them in fp32 and returning their results in the inputs' precision (they are a small
part of a detector's time); CUDA inputs, which mmcv handles in half precision, and fp32 inputs are passed
through untouched.
"""
import functools
import importlib

import torch

_HALF = (torch.bfloat16, torch.float16)


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

    wrapper._mmiekd_fp32 = True
    return wrapper


def install_mmcv_cpu_half_ops() -> None:
    """Wraps ``mmcv.ops.nms`` (which ``batched_nms`` looks up by name) and ``roi_align`` (which
    ``RoIAlign.forward`` calls); idempotent."""
    # `mmcv.ops.nms` as an attribute is the re-exported function: take the modules themselves.
    nms_module = importlib.import_module('mmcv.ops.nms')
    roi_align_module = importlib.import_module('mmcv.ops.roi_align')
    if not getattr(nms_module.nms, '_mmiekd_fp32', False):
        nms_module.nms = _fp32_for_cpu_half(nms_module.nms)
    if not getattr(roi_align_module.roi_align, '_mmiekd_fp32', False):
        roi_align_module.roi_align = _fp32_for_cpu_half(roi_align_module.roi_align)
