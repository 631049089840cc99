"""Attention transfer."""
import torch
import torch.nn.functional as F

from mmiekd.registry import MODELS
from .base_distill_loss import BaseDistillLoss, check_same_batch_and_space


def attention_map(feature: torch.Tensor, p: float = 2.0) -> torch.Tensor:
    """Spatial attention of a feature map: channel mean of ``|x|^p``, flattened and L2-normalised.

    Shapes:
        feature (N, C, H, W) -> (N, H*W)
    """
    return F.normalize(feature.abs().pow(p).mean(1).flatten(1), dim=1)


@MODELS.register_module()
class ATLoss(BaseDistillLoss):
    """Attention transfer (Zagoruyko & Komodakis 2017).

    ``loss = loss_weight * mean((Q_s - Q_t) ** 2)`` with ``Q = attention_map(feature, p)``. The maps do
    not depend on channels, so student and teacher may differ in width; the paper's beta = 1000 per layer
    with a 1/2 factor corresponds to ``loss_weight=500``.

    Args:
        p (float): Exponent of the attention map.
        loss_weight (float): Multiplier of the loss.

    Shapes:
        student (N, C_s, H, W), teacher (N, C_t, H, W) -> scalar.
    """

    def __init__(self, p: float = 2.0, loss_weight: float = 1.0, init_cfg=None):
        super().__init__(loss_weight=loss_weight, init_cfg=init_cfg)
        self.p = p

    def check_inputs(self, student, teacher):
        return check_same_batch_and_space(student, teacher)

    def forward(self, student: torch.Tensor, teacher: torch.Tensor) -> torch.Tensor:
        diff = attention_map(student, self.p) - attention_map(teacher, self.p)
        return self.loss_weight * diff.pow(2).mean()
