"""Factor transfer, and the factor distance it shares with IE-KD."""
import torch

from mmiekd.registry import MODELS
from ..connectors.factor_autoencoder import FactorAutoEncoder, FactorEncoder
from .base_distill_loss import BaseDistillLoss, check_same_batch_and_space, loss_type_name
from .map_norm import check_normalize, unit_map


def factor_distance(a: torch.Tensor, b: torch.Tensor, p: int = 1, normalize: str = 'l2') -> torch.Tensor:
    """``mean(|u(a) - u(b)|^p)^(1/p)``, each sample flattened and normalised as a whole by ``u``
    (:func:`unit_map`): ``'l2'`` (the authors': unit L2 norm, a value that shrinks as ``1/sqrt(D)``) or
    ``'rms'`` (unit root mean square: ``sqrt(D)`` times the ``'l2'`` value, independent of the map size D).

    Shapes:
        a, b: (N, ...) with equal shapes -> scalar; the mean is over all N * D elements.
    """
    return (unit_map(a, normalize) - unit_map(b, normalize)).abs().pow(p).mean().pow(1.0 / p)


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
        normalize (str): ``'l2'`` (the paper's, default) or ``'rms'`` (scale-free: the weight's pull does
            not depend on the input size or the FPN level; what the detection recipes use), see
            :func:`unit_map`.
        loss_weight (float): Multiplier of the loss.

    Shapes:
        student (N, C_s, H, W), teacher (N, C_t, H, W) -> scalar.
    """

    def __init__(self, student_channels: int, teacher_channels: int, factor_channels: int, p: int = 1,
                 normalize: str = 'l2', loss_weight: float = 1.0, init_cfg=None):
        super().__init__(loss_weight=loss_weight, init_cfg=init_cfg)
        self.p = p
        self.normalize = check_normalize(normalize, loss_type_name(self))
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
        return self.loss_weight * factor_distance(self.translator(student), factor_t, self.p, self.normalize)
