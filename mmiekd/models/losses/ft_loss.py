"""Factor transfer, and the factor distance it shares with IE-KD."""
import torch
import torch.nn.functional as F

from mmiekd.registry import MODELS
from ..connectors.factor_autoencoder import FactorAutoEncoder, FactorEncoder
from .base_distill_loss import BaseDistillLoss, check_same_batch_and_space


def factor_distance(a: torch.Tensor, b: torch.Tensor, p: int = 1) -> torch.Tensor:
    """``mean(|a/||a||_2 - b/||b||_2|^p)^(1/p)``, each sample flattened and L2-normalised.

    Shapes:
        a, b: (N, ...) with equal shapes -> scalar; the mean is over all N * numel elements.
    """
    a = F.normalize(a.flatten(1), dim=1)
    b = F.normalize(b.flatten(1), dim=1)
    return (a - b).abs().pow(p).mean().pow(1.0 / p)


@MODELS.register_module()
class FTLoss(BaseDistillLoss):
    """Factor transfer (Kim et al. 2018): the student's translated factor matches the teacher's factor.

    The teacher's paraphraser (an auto-encoder) must be trained first, by reconstruction
    (:meth:`FactorAutoEncoder.reconstruction_loss`, driven by ``mmiekd.IEKDAutoEncoderHook``) or loaded;
    while the student trains it is frozen: no gradient, BN in eval mode.

    Args:
        student_channels (int): Channels of the student feature.
        teacher_channels (int): Channels of the teacher feature.
        factor_channels (int): Channels of the factors.
        p (int): Exponent of :func:`factor_distance` (the paper uses 1).
        loss_weight (float): Multiplier of the loss.

    Shapes:
        student (N, C_s, H, W), teacher (N, C_t, H, W) -> scalar.
    """

    def __init__(self, student_channels: int, teacher_channels: int, factor_channels: int, p: int = 1,
                 loss_weight: float = 1.0, init_cfg=None):
        super().__init__(loss_weight=loss_weight, init_cfg=init_cfg)
        self.p = p
        self.paraphraser = FactorAutoEncoder(teacher_channels, factor_channels)
        self.translator = FactorEncoder(student_channels, factor_channels)
        self.paraphraser.requires_grad_(False)

    def train(self, mode: bool = True):
        super().train(mode)
        if not next(self.paraphraser.parameters()).requires_grad:
            self.paraphraser.eval()  # a frozen paraphraser must not update its BN statistics
        return self

    def check_inputs(self, student, teacher):
        return check_same_batch_and_space(student, teacher)

    def forward(self, student: torch.Tensor, teacher: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            factor_t = self.paraphraser.encode(teacher)
        return self.loss_weight * factor_distance(self.translator(student), factor_t, self.p)
