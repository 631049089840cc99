"""mmcv's detection ops (NMS, RoIAlign) inside mmiekd's reduced-precision autocast regions.

mmcv 2.1.0 compiles its ``nms`` kernels (CPU and CUDA) for fp32 only and its ``roi_align`` kernels for fp32
on CPU and fp32/fp16 on CUDA, so a detector trained with ``--amp`` on CPU (bf16 autocast), or a teacher run
with ``teacher_precision='bf16'`` (CPU or GPU) or ``'fp16'`` (CPU), fails with "expected scalar type Float but
found BFloat16" or '"roi_align_forward_cuda_kernel" not implemented for 'BFloat16''. mmcv's ops are pybind
functions that autocast does not see, so :func:`mmcv_half_ops` is entered exactly where mmiekd itself opens
an autocast region (:class:`~mmiekd.engine.optimizers.CPUAutocastOptimWrapper` and a reduced-precision
teacher): inside it, an op given a precision its kernel lacks runs in fp32 and returns its results in the
inputs' precision; inputs its kernel takes (fp32 anywhere, fp16 RoIAlign on CUDA) are passed through
untouched. On leaving the region, mmcv's functions are restored: outside it (and after ``import mmiekd``)
mmcv is exactly as shipped.
"""
import contextlib
import functools
import importlib
import threading

import torch

_HALF = (torch.bfloat16, torch.float16)
_LOCK = threading.Lock()
_DEPTH = [0]
_ORIGINALS = {}


def _fp32_for_half(fn, native_half: dict):
    """``fn`` that runs in fp32 when given a half-precision tensor its kernel lacks on that device
    (``native_half``: device type -> the half dtypes its kernel takes)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        half = [a.dtype for a in args if isinstance(a, torch.Tensor) and a.dtype in _HALF
                and a.dtype not in native_half.get(a.device.type, ())]
        if not half:
            return fn(*args, **kwargs)
        args = tuple(a.float() if isinstance(a, torch.Tensor) and a.dtype in _HALF else a for a in args)
        devices = {a.device.type for a in args if isinstance(a, torch.Tensor)}
        with contextlib.ExitStack() as no_autocast:
            for device in devices:
                no_autocast.enter_context(torch.autocast(device, enabled=False))
            result = fn(*args, **kwargs)
        # Back to the caller's precision (mmdet writes RoI features into a tensor of the features' dtype).
        back = (lambda t: t.to(half[0]) if isinstance(t, torch.Tensor) and t.is_floating_point() else t)
        return tuple(back(r) for r in result) if isinstance(result, tuple) else back(result)

    return wrapper


# `mmcv.ops.nms` as an attribute is the re-exported function: `batched_nms` looks `nms` up in its own
# module, `RoIAlign.forward` calls `roi_align` of its module. The half dtypes each kernel takes, per device.
_TARGETS = (('mmcv.ops.nms', 'nms', {}), ('mmcv.ops.roi_align', 'roi_align', {'cuda': (torch.float16, )}))


@contextlib.contextmanager
def mmcv_half_ops():
    """Within this context, mmcv's ``nms``/``roi_align`` accept bf16/fp16 inputs on any device (re-entrant).

    Without mmcv's compiled ops installed this is a no-op.
    """
    with _LOCK:
        if _DEPTH[0] == 0:
            try:
                modules = [(importlib.import_module(m), name, native) for m, name, native in _TARGETS]
            except ImportError:
                modules = []
            for module, name, native_half in modules:
                original = getattr(module, name)
                _ORIGINALS[(module, name)] = original
                setattr(module, name, _fp32_for_half(original, native_half))
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
