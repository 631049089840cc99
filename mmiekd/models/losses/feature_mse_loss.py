"""FitNet-style feature mimicking."""
import torch
import torch.nn.functional as F

from mmiekd.registry import MODELS
from .base_distill_loss import BaseDistillLoss


@MODELS.register_module()
class FeatureMSELoss(BaseDistillLoss):
    """Mean squared error between student and teacher features (FitNets, Romero et al. 2015).

    ``loss = loss_weight * mean((student - teacher) ** 2)``, the mean taken over all elements.

    Args:
        loss_weight (float): Multiplier of the loss.

    Shapes:
        student, teacher: (N, ...) of equal shape (use a connector when channels differ) -> scalar.
    """

    def forward(self, student: torch.Tensor, teacher: torch.Tensor) -> torch.Tensor:
        return self.loss_weight * F.mse_loss(student, teacher)
