"""IE-KD's inheritance and exploration losses (Huang et al., CVPR 2021), on factors or attention maps."""
import torch
import torch.nn.functional as F

from mmiekd.registry import MODELS
from .at_loss import ATLoss
from .base_distill_loss import BaseDistillLoss, loss_type_name
from .ft_loss import factor_distance
from .map_norm import check_normalize


@MODELS.register_module()
class IEInheritanceLoss(BaseDistillLoss):
    """Pulls the student's inheritance factor towards the teacher's factor.

    ``loss = loss_weight * d(s, t)`` with ``d`` = :func:`factor_distance` (each sample flattened and
    normalised as a whole, mean of ``|.|^p`` over the batch, to the power 1/p).

    Args:
        p (int): Exponent of the distance (the authors use 1).
        normalize (str): ``'l2'`` (the authors', default) or ``'rms'`` (scale-free, the detection recipes'),
            see :func:`mmiekd.models.losses.map_norm.unit_map`.
        loss_weight (float): ``w_inh``.

    Shapes:
        student, teacher: (N, F, H, W) factors of equal shape -> scalar.
    """

    def __init__(self, p: int = 1, normalize: str = 'l2', loss_weight: float = 1.0, init_cfg=None):
        super().__init__(loss_weight=loss_weight, init_cfg=init_cfg)
        self.p = p
        self.normalize = check_normalize(normalize, loss_type_name(self))

    def forward(self, student: torch.Tensor, teacher: torch.Tensor) -> torch.Tensor:
        return self.loss_weight * factor_distance(student, teacher, self.p, self.normalize)


@MODELS.register_module()
class IEExplorationLoss(BaseDistillLoss):
    """Pushes the student's exploration factor away from the teacher's factor.

    ``form='norm'`` (default): ``loss = -loss_weight * d(s, t)``, the negated inheritance distance.
    ``form='cosine'``: ``loss = loss_weight * mean_n |cos(s_n, t_n)|``, each sample flattened: minimal when
    the factors are orthogonal, so the push is bounded (a cosine does not depend on the map size, so
    ``normalize`` does not apply to it).

    Args:
        form (str): ``'norm'`` or ``'cosine'``.
        p (int): Exponent of the distance in the norm form.
        normalize (str): Normalisation of the norm form's maps: ``'l2'`` (the authors', default) or ``'rms'``
            (scale-free, the detection recipes'), as :class:`IEInheritanceLoss`.
        loss_weight (float): ``w_exp``.

    Shapes:
        student, teacher: (N, F, H, W) factors of equal shape -> scalar.
    """

    def __init__(self, form: str = 'norm', p: int = 1, normalize: str = 'l2', loss_weight: float = 1.0,
                 init_cfg=None):
        super().__init__(loss_weight=loss_weight, init_cfg=init_cfg)
        if form not in ('norm', 'cosine'):
            raise ValueError(f'`form` must be "norm" or "cosine", got {form!r}')
        self.form = form
        self.p = p
        self.normalize = check_normalize(normalize, loss_type_name(self))

    def forward(self, student: torch.Tensor, teacher: torch.Tensor) -> torch.Tensor:
        if self.form == 'norm':
            return -self.loss_weight * factor_distance(student, teacher, self.p, self.normalize)
        cos = F.cosine_similarity(student.flatten(1), teacher.flatten(1), dim=1)
        return self.loss_weight * cos.abs().mean()


@MODELS.register_module()
class IEAttentionLoss(ATLoss):
    """IE-AT: inheritance or exploration on attention maps instead of factors.

    :class:`ATLoss` with a sign: ``loss = sign * loss_weight * mean((Q_s - Q_t) ** 2)``, ``sign`` +1 for
    inheritance and -1 for exploration. Channel-agnostic, so no encoder is needed.

    Args:
        explore (bool): Exploration (push away) instead of inheritance (pull towards).
        p (float): Exponent of the attention map.
        normalize (str): ``'l2'`` or ``'rms'``, as :class:`ATLoss`.
        loss_weight (float): ``w_inh`` or ``w_exp``.

    Shapes:
        student (N, C_s, H, W), teacher (N, C_t, H, W) -> scalar.
    """

    def __init__(self, explore: bool = False, p: float = 2.0, normalize: str = 'l2', loss_weight: float = 1.0,
                 init_cfg=None):
        super().__init__(p=p, normalize=normalize, loss_weight=loss_weight, init_cfg=init_cfg)
        self.sign = -1.0 if explore else 1.0

    def forward(self, student: torch.Tensor, teacher: torch.Tensor) -> torch.Tensor:
        return self.sign * super().forward(student, teacher)
