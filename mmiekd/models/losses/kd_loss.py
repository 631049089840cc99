"""Hinton's logit distillation."""
import torch
import torch.nn.functional as F

from mmiekd.registry import MODELS
from .base_distill_loss import BaseDistillLoss


@MODELS.register_module()
class KDLoss(BaseDistillLoss):
    """Kullback-Leibler divergence between temperature-softened class distributions (Hinton et al. 2015).

    ``loss = loss_weight * T^2 * mean_n KL(softmax(t_n / T) || softmax(s_n / T))``; the ``T^2`` keeps the
    gradient scale independent of the temperature.

    Args:
        tau (float): Temperature T > 0.
        loss_weight (float): Multiplier of the loss.

    Shapes:
        student, teacher: logits (N, C) -> scalar.
    """

    def __init__(self, tau: float = 4.0, loss_weight: float = 1.0, init_cfg=None):
        super().__init__(loss_weight=loss_weight, init_cfg=init_cfg)
        if not tau > 0:
            raise ValueError(f'`tau` must be > 0, got {tau!r}')
        self.tau = float(tau)

    def forward(self, student: torch.Tensor, teacher: torch.Tensor) -> torch.Tensor:
        log_p_s = F.log_softmax(student.flatten(1) / self.tau, dim=1)
        log_p_t = F.log_softmax(teacher.flatten(1) / self.tau, dim=1)
        kl = F.kl_div(log_p_s, log_p_t, reduction='batchmean', log_target=True)
        return self.loss_weight * self.tau**2 * kl
