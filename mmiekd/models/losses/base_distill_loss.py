"""Common behaviour of distillation losses: a validated ``loss_weight`` and an input-shape check."""
import math
from typing import Optional

import torch
from mmengine.model import BaseModule


def check_loss_weight(value, key: str = 'loss_weight') -> float:
    """Returns ``value`` as a float, or raises if it is not a finite number >= 0.

    Args:
        value: The configured weight.
        key (str): The config key, named in the error.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f'`{key}` must be a number >= 0, got {value!r} ({type(value).__name__})')
    if not math.isfinite(value) or value < 0:
        raise ValueError(f'`{key}` must be a finite number >= 0, got {value!r}')
    return float(value)


class BaseDistillLoss(BaseModule):
    """Base of mmiekd's distillation losses.

    Subclasses implement ``forward(student, teacher) -> scalar tensor`` (already multiplied by
    ``loss_weight``) and may relax :meth:`check_inputs`.

    Args:
        loss_weight (float): Multiplier of the loss; a finite number >= 0.
    """

    def __init__(self, loss_weight: float = 1.0, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.loss_weight = check_loss_weight(loss_weight)

    def check_inputs(self, student: torch.Tensor, teacher: torch.Tensor) -> Optional[str]:
        """Returns why the pair cannot be compared, or None. By default shapes must be equal."""
        if student.shape != teacher.shape:
            return 'the shapes must be equal'
        return None


def check_same_batch_and_space(student: torch.Tensor, teacher: torch.Tensor) -> Optional[str]:
    """Shape rule of losses that are channel-agnostic: same N and the same spatial size."""
    if student.dim() != teacher.dim() or student.shape[0] != teacher.shape[0] \
            or student.shape[2:] != teacher.shape[2:]:
        return 'batch size and spatial size must be equal'
    return None
