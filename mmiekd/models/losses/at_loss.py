"""Attention transfer."""
import torch

from mmiekd.registry import MODELS
from .base_distill_loss import BaseDistillLoss, check_same_batch_and_space, loss_type_name
from .map_norm import check_normalize, unit_map


def attention_map(feature: torch.Tensor, p: float = 2.0, normalize: str = 'l2') -> torch.Tensor:
    """Spatial attention of a feature map: channel mean of ``|x|^p``, flattened and normalised as a whole
    (:func:`unit_map`: ``'l2'``, the paper's unit norm, or ``'rms'``, unit root mean square).

    Shapes:
        feature (N, C, H, W) -> (N, H*W)
    """
    return unit_map(feature.abs().pow(p).mean(1), normalize)


@MODELS.register_module()
class ATLoss(BaseDistillLoss):
    """Attention transfer (Zagoruyko & Komodakis 2017).

    ``loss = loss_weight * mean((Q_s - Q_t) ** 2)`` with ``Q = attention_map(feature, p)``. The maps do
    not depend on channels, so student and teacher may differ in width; the paper's beta = 1000 per layer
    with a 1/2 factor corresponds to ``loss_weight=500``. With the paper's unit-norm maps the loss and its
    gradient shrink as ``1/(H*W)``; ``normalize='rms'`` (maps of unit root mean square, ``H*W`` times the
    loss) makes them independent of the map size, for detection.

    Args:
        p (float): Exponent of the attention map.
        normalize (str): ``'l2'`` (the paper's, default) or ``'rms'`` (scale-free, the detection recipe's).
        loss_weight (float): Multiplier of the loss.

    Shapes:
        student (N, C_s, H, W), teacher (N, C_t, H, W) -> scalar.
    """

    def __init__(self, p: float = 2.0, normalize: str = 'l2', loss_weight: float = 1.0, init_cfg=None):
        super().__init__(loss_weight=loss_weight, init_cfg=init_cfg)
        self.p = p
        self.normalize = check_normalize(normalize, loss_type_name(self))

    def check_inputs(self, student, teacher):
        return check_same_batch_and_space(student, teacher)

    def forward(self, student: torch.Tensor, teacher: torch.Tensor) -> torch.Tensor:
        diff = attention_map(student, self.p, self.normalize) - attention_map(teacher, self.p, self.normalize)
        return self.loss_weight * diff.pow(2).mean()
