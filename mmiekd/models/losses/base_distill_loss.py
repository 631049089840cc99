"""Common behaviour of distillation losses: a validated ``loss_weight`` and an input-shape check."""
import math
import numbers
from typing import Optional

import torch
from mmengine.model import BaseModule


def check_loss_weight(value, key: str = 'loss_weight', owner: Optional[str] = None) -> float:
    """Returns ``value`` as a float, or raises if it is not a finite number >= 0.

    The one check of mmiekd's loss weights: :class:`BaseDistillLoss` runs it when ``loss_weight`` is set
    (at build time and on any later assignment).

    Args:
        value: The configured weight.
        key (str): The config key, named in the error.
        owner (str, optional): What the key belongs to (e.g. ``'mmiekd.FeatureMSELoss'``), named in the error.

    Raises:
        TypeError: ``value`` is not a real number (a string, a bool, None, a tensor...).
        ValueError: ``value`` is negative, NaN or infinite.
    """
    where = f'`{key}` of {owner}' if owner else f'`{key}`'
    expected = f'{where} must be a finite number >= 0, got {value!r}'
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f'{expected} ({type(value).__name__})')
    if not math.isfinite(value) or value < 0:
        raise ValueError(expected)
    return float(value)


def loss_type_name(loss: object) -> str:
    """The registered type name of a loss, as configs write it: ``'mmiekd.FeatureMSELoss'``."""
    name = type(loss).__name__
    return f'mmiekd.{name}' if type(loss).__module__.startswith('mmiekd.') else name


class BaseDistillLoss(BaseModule):
    """Base of mmiekd's distillation losses.

    Subclasses implement ``forward(student, teacher) -> scalar tensor`` (already multiplied by
    ``loss_weight``) and may relax :meth:`check_inputs`.

    Args:
        loss_weight (float): Multiplier of the loss; a finite number >= 0 (checked here for every subclass,
            at build time and whenever the attribute is assigned later, e.g. by a schedule).
    """

    def __init__(self, loss_weight: float = 1.0, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.loss_weight = loss_weight

    @property
    def loss_weight(self) -> float:
        return self._loss_weight

    @loss_weight.setter
    def loss_weight(self, value) -> None:
        self._loss_weight = check_loss_weight(value, 'loss_weight', loss_type_name(self))

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
