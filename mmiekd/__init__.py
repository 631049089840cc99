"""mmiekd: Inheritance-and-Exploration, Stage-by-Stage and Interactive knowledge distillation for
MMDetection 3.x and MMPretrain 1.x."""
import os.path as osp

import mmengine.config.config as _mmengine_config
from mmengine.config.utils import MODULE2PACKAGE

from .utils.atomic_io import install_atomic_local_writes
from .utils.checkpoint import install_safe_checkpoint_loader
from .utils.cpu_sync_bn import install_cpu_sync_bn
from .utils.mmcv_cpu_half import install_mmcv_cpu_half_ops
from .version import __version__

# `mmiekd::kd/xxx.py` config paths: MMEngine only resolves packages it knows.
MODULE2PACKAGE.setdefault('mmiekd', 'mmiekd')


def _installed_path(package: str, _original=_mmengine_config.get_installed_path) -> str:
    # MMEngine looks for `mmiekd::` configs under site-packages, where an editable install
    # (`pip install -e .`) only keeps its metadata; the package's own folder is right in both cases.
    if package == 'mmiekd':
        return osp.dirname(osp.abspath(__file__))
    return _original(package)


_mmengine_config.get_installed_path = _installed_path
# Every local checkpoint MMEngine reads (load_from, --resume, Pretrained) is loaded with weights_only=True.
install_safe_checkpoint_loader()
# Checkpoints are written atomically: a crash while saving never leaves a truncated latest checkpoint.
install_atomic_local_writes()
# bf16 autocast on CPU (--amp, a bf16 teacher) reaches mmcv's fp32-only CPU NMS/RoIAlign kernels.
install_mmcv_cpu_half_ops()
# `sync_bn='torch'` in CPU (gloo) distributed jobs: PyTorch's SyncBatchNorm is GPU-only.
install_cpu_sync_bn()

__all__ = ['__version__']
