"""mmiekd: Inheritance-and-Exploration, Stage-by-Stage and Interactive knowledge distillation for
MMDetection 3.x and MMPretrain 1.x.

Importing mmiekd changes nothing in MMEngine, mmcv or PyTorch. What mmiekd adds to their behaviour is in
components a config or our tools select: :class:`mmiekd.DistillRunner` (``runner_type``) for atomic
checkpoints, safe loading and CPU SyncBN; :class:`mmiekd.CPUAutocastOptimWrapper` (``--amp`` on CPU).
"""
from .version import __version__

__all__ = ['__version__']
