"""Mixed precision without a GPU: bf16 autocast on the CPU."""
from contextlib import contextmanager

import torch
from mmengine.optim import OptimWrapper

from mmiekd.registry import OPTIM_WRAPPERS
from mmiekd.utils.mmcv_half_ops import mmcv_half_ops


@OPTIM_WRAPPERS.register_module()
class CPUAutocastOptimWrapper(OptimWrapper):
    """Runs the forward pass under ``torch.autocast('cpu', dtype)``; ``tools/train.py --amp`` uses it on
    machines without a GPU (MMEngine's ``AmpOptimWrapper`` is GPU-only).

    bf16 keeps fp32's exponent range, so no loss scaling is needed; parameters, gradients and the optimizer
    state stay fp32.

    Args:
        dtype (str): ``'bfloat16'`` (default) or ``'float16'``.
        **kwargs: Arguments of :class:`mmengine.optim.OptimWrapper`.
    """

    def __init__(self, dtype: str = 'bfloat16', **kwargs):
        super().__init__(**kwargs)
        if dtype not in ('bfloat16', 'float16'):
            raise ValueError(f'`optim_wrapper.dtype` must be "bfloat16" or "float16", got {dtype!r}')
        self.cast_dtype = getattr(torch, dtype)

    @contextmanager
    def optim_context(self, model):
        # mmcv's fp32-only CPU NMS/RoIAlign accept the autocast region's half-precision inputs.
        with super().optim_context(model), torch.autocast(device_type='cpu', dtype=self.cast_dtype), \
                mmcv_half_ops():
            yield
