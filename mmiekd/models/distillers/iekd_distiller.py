"""IE-KD: Inheritance and Exploration knowledge distillation (Huang et al., CVPR 2021).

Phase 1 trains an auto-encoder on the frozen teacher's feature; its code is the teacher's *factor*
(``mmiekd.IEKDAutoEncoderHook`` runs it inside the same training run). Phase 2 splits the student's feature
along channels: the *inheritance* half is encoded and pulled towards the teacher's factor, the *exploration*
half is encoded and pushed away from it, and the task loss keeps what is explored useful.
"""
import copy
from typing import Dict, List, Tuple

import torch
from torch import nn

from mmiekd.registry import MODELS
from mmiekd.utils.checkpoint import load_weights_strictly
from mmiekd.utils.model_config import with_build_scopes
from ..connectors.factor_autoencoder import FactorAutoEncoder, FactorEncoder
from .single_teacher_distiller import SingleTeacherDistiller, as_levels, end_of_build, teacher_weights_needed

IE_KEYS = {'student', 'teacher', 'student_channels', 'teacher_channels', 'factor_channels', 'num_levels',
           'levels', 'pool', 'shared', 'split', 'split_seed', 'mode', 'inheritance', 'exploration',
           'autoencoder_ckpt'}


def channel_order(channels: int, split: str, seed: int) -> torch.Tensor:
    """The channel order of IE's split: ``'natural'`` (0..C-1: the first half inherits) or ``'random'`` (a
    permutation drawn from ``seed``). Shape (C, )."""
    if split == 'random':
        return torch.randperm(channels, generator=torch.Generator().manual_seed(seed))
    return torch.arange(channels)


def split_channels(feature: torch.Tensor, order: torch.Tensor, key: str, what: str):
    """(N, C, H, W) -> the inheritance half (N, C/2, H, W) and the exploration half, in ``order``.

    ``key`` (the config key of C) and ``what`` (the feature) are named in the error when C does not fit.
    """
    if feature.shape[1] != order.numel():
        raise ValueError(f'`{key}` is {order.numel()} but {what} has shape {tuple(feature.shape)}')
    half = feature.shape[1] // 2
    if bool((order == torch.arange(len(order), device=feature.device)).all()):
        return feature[:, :half], feature[:, half:]  # views, no copy
    return feature.index_select(1, order[:half]), feature.index_select(1, order[half:])


def inherit_and_explore(feature: torch.Tensor, target: torch.Tensor, order: torch.Tensor, encoders,
                        losses, key: str, what: str) -> Tuple[torch.Tensor, torch.Tensor]:
    """IE's two terms for one feature against one target: the feature is split along channels in ``order``,
    each half is encoded (``encoders``: the inheritance and the exploration encoder; ``None`` in attention
    mode, where the halves are compared as they are), and the inheritance loss pulls the first half's code
    towards ``target`` while the exploration loss pushes the second half's away. IE-KD (target: the frozen
    teacher's factor) and IE-DML (target: the peer's factor) both compute their terms here.

    Args:
        feature (Tensor): (N, C, H, W), the learning network's feature (gradients flow into it).
        target (Tensor): (N, F, H, W), the factor to inherit from and explore against (no gradient wanted).
        order (Tensor): (C, ) channel order of the split (:func:`channel_order`).
        encoders (tuple | None): ``(inheritance encoder, exploration encoder)``: (N, C/2, H, W) -> (N, F, H, W).
        losses (tuple): ``(inheritance loss, exploration loss)`` modules.
        key, what (str): the config key of C and the feature's name, for the error when C does not fit.

    Returns:
        tuple: The inheritance and the exploration loss (scalars), computed in fp32 outside autocast.
    """
    part_inh, part_exp = split_channels(feature, order, key, what)
    if encoders is not None:
        part_inh, part_exp = encoders[0](part_inh), encoders[1](part_exp)
    with torch.autocast(device_type=feature.device.type, enabled=False):
        return (losses[0](part_inh.float(), target.float()), losses[1](part_exp.float(), target.float()))


@MODELS.register_module()
class IEKDDistiller(SingleTeacherDistiller):
    """IE-KD on any recorded feature: classification (the paper) and detection (every FPN level).

    Args:
        ie (dict): The IE-KD settings:

            - ``student``, ``teacher`` (str | list[str]): module(s) whose outputs are split / factorised
              (``'backbone.layer3'``, ``'neck'``, ``['backbone.layer3', 'backbone.layer4']``). A tuple output
              (FPN) is handled level by level; the levels of a list follow each other in its order.
            - ``student_channels``, ``teacher_channels`` (int): channels of those outputs; the student's must
              be even (half each for inheritance and exploration).
            - ``factor_channels`` (int): channels of the factors (the authors: 32 for a 64-channel feature).
            - ``num_levels`` (int): number of levels of the outputs (5 for an FPN). Default 1.
              Several levels need the same channel counts (use one recipe term per width otherwise).
            - ``levels`` (list[int], optional): the levels IE applies to (indices into the ``num_levels``
              outputs, e.g. ``[1, 2, 3, 4]``: an FPN's P3-P6 without P2, which holds 3/4 of the pixels and
              of IE's cost); default all. Auto-encoders and encoders exist only for these levels.
            - ``pool`` (int): IE encodes each level after a ``pool`` x ``pool`` average pooling (stride
              ``pool``) of the student's and the teacher's feature: ``pool**2`` times fewer pixels for the
              auto-encoder and both encoders, in phase 1 and 2. Default 1 (full resolution, the paper).
            - ``shared`` (bool): one auto-encoder and one encoder pair for all levels instead of one per level.
            - ``split`` (str): ``'natural'`` (first half inherits, second half explores) or ``'random'`` (a
              channel permutation drawn once from ``split_seed`` and saved in checkpoints).
            - ``mode`` (str): ``'factor'`` (IE-FT, default) or ``'attention'`` (IE-AT: attention maps of the
              halves against the teacher's, no auto-encoder and no phase 1).
            - ``inheritance``, ``exploration`` (dict): loss configs; defaults ``IEInheritanceLoss`` and
              ``IEExplorationLoss`` (``IEAttentionLoss`` in attention mode), weight 1 each.
            - ``autoencoder_ckpt`` (str, optional): a trained teacher auto-encoder; phase 1 is then skipped.
        **kwargs: Arguments of :class:`SingleTeacherDistiller` (``student``, ``teacher``, ``teacher_ckpt``,
            and ``distill`` for extra terms: a ``KDLoss`` on the logits gives the IE-KD variant).
    """

    #: The method family (read by tools such as the speed tool).
    method = 'iekd'

    def __init__(self, ie: dict, **kwargs):
        ie = self._check_ie_cfg(ie)
        super().__init__(extra_outputs=list(zip(ie['student'], ie['teacher'])), **kwargs)
        self.ie_student = ie['student']
        self.ie_teacher = ie['teacher']
        self.ie_mode = ie['mode']
        self.ie_shared = ie['shared']
        self.num_levels = ie['num_levels']
        self.ie_levels = ie['levels']
        self.ie_pool = ie['pool']
        channels = ie['student_channels']
        half = channels // 2
        # The weights of both losses are scaled by this factor (IEKDAutoEncoderHook's weight schedule).
        self.ie_weight_factor = 1.0

        # Persistent: a random split is fixed for the whole run and restored on resume.
        self.register_buffer('split_order', channel_order(channels, ie['split'], ie['split_seed']))
        self.register_buffer('autoencoder_trained', torch.tensor(ie['mode'] == 'attention'))

        copies = 1 if ie['shared'] else len(ie['levels'])
        if ie['mode'] == 'factor':
            factor = ie['factor_channels']
            self.teacher_autoencoders = nn.ModuleList(
                FactorAutoEncoder(ie['teacher_channels'], factor) for _ in range(copies))
            self.inheritance_encoders = nn.ModuleList(FactorEncoder(half, factor) for _ in range(copies))
            self.exploration_encoders = nn.ModuleList(FactorEncoder(half, factor) for _ in range(copies))
            self.teacher_autoencoders.requires_grad_(False)
            self.teacher_autoencoders.eval()
        self.inheritance_loss = self._build_ie_loss(ie['inheritance'], 'ie.inheritance')
        self.exploration_loss = self._build_ie_loss(ie['exploration'], 'ie.exploration')
        if ie.get('autoencoder_ckpt') and teacher_weights_needed():
            load_weights_strictly(self.teacher_autoencoders, ie['autoencoder_ckpt'], 'ie.autoencoder_ckpt')
            self.autoencoder_trained.fill_(True)
        end_of_build(self)

    # ------------------------------------------------------------------ construction
    @staticmethod
    def _check_ie_cfg(ie: dict) -> dict:
        if not isinstance(ie, dict):
            raise TypeError(f'`ie` must be a dict, got {ie!r}')
        unknown = set(ie) - IE_KEYS
        if unknown:
            raise KeyError(f'`ie`: unknown keys {sorted(unknown)}; expected some of {sorted(IE_KEYS)}')
        ie = copy.deepcopy(dict(ie))
        for role in ('student', 'teacher'):
            if isinstance(ie.get(role), str):
                ie[role] = [ie[role]]
        if len(ie.get('student', [])) != len(ie.get('teacher', [])):
            raise ValueError(f'`ie.student` and `ie.teacher` must name as many modules, got {ie.get("student")} '
                             f'and {ie.get("teacher")}')
        mode = ie.setdefault('mode', 'factor')
        if mode not in ('factor', 'attention'):
            raise ValueError(f'`ie.mode` must be "factor" or "attention", got {mode!r}')
        required = ['student', 'teacher', 'student_channels'] + (
            ['teacher_channels', 'factor_channels'] if mode == 'factor' else [])
        missing = [k for k in required if k not in ie]
        if missing:
            raise KeyError(f'`ie`: missing keys {missing}')
        if ie['student_channels'] % 2:
            raise ValueError(f'`ie.student_channels` must be even (half inherits, half explores), got '
                             f'{ie["student_channels"]}')
        if ie.setdefault('split', 'natural') not in ('natural', 'random'):
            raise ValueError(f'`ie.split` must be "natural" or "random", got {ie["split"]!r}')
        ie.setdefault('split_seed', 0)
        num_levels = ie.setdefault('num_levels', 1)
        if isinstance(num_levels, bool) or not isinstance(num_levels, int) or num_levels < 1:
            raise ValueError(f'`ie.num_levels` must be a positive int, got {num_levels!r}')
        levels = ie.get('levels')
        if levels is None:
            levels = list(range(num_levels))
        if (not isinstance(levels, (list, tuple)) or not levels
                or any(isinstance(x, bool) or not isinstance(x, int) for x in levels)
                or sorted(set(levels)) != list(levels) or levels[0] < 0 or levels[-1] >= num_levels):
            raise ValueError(f'`ie.levels` must be increasing level indices in [0, ie.num_levels={num_levels}), '
                             f'got {ie.get("levels")!r}')
        ie['levels'] = list(levels)
        pool = ie.setdefault('pool', 1)
        if isinstance(pool, bool) or not isinstance(pool, int) or pool < 1:
            raise ValueError(f'`ie.pool` must be a positive int (1: full resolution), got {pool!r}')
        ie.setdefault('shared', False)
        if mode == 'factor':
            ie.setdefault('inheritance', dict(type='mmiekd.IEInheritanceLoss'))
            ie.setdefault('exploration', dict(type='mmiekd.IEExplorationLoss'))
        else:
            ie.setdefault('inheritance', dict(type='mmiekd.IEAttentionLoss'))
            ie.setdefault('exploration', dict(type='mmiekd.IEAttentionLoss', explore=True))
        return ie

    @staticmethod
    def _build_ie_loss(cfg: dict, key: str) -> nn.Module:
        try:
            return MODELS.build(with_build_scopes(cfg))
        except (TypeError, ValueError, KeyError) as err:
            raise type(err)(f'`{key}`: {err}') from err

    # ------------------------------------------------------------------ phase 1: teacher auto-encoder
    def train(self, mode: bool = True):
        super().train(mode)
        if self.ie_mode == 'factor' and not self._autoencoder_learning():
            self.teacher_autoencoders.eval()  # frozen in phase 2: BN statistics must not move
        return self

    def _autoencoder_learning(self) -> bool:
        return next(self.teacher_autoencoders.parameters()).requires_grad

    def autoencoders(self) -> List[nn.Module]:
        """The teacher's auto-encoders (and any FT paraphraser of ``distill``), trained in phase 1."""
        own = [self.teacher_autoencoders] if self.ie_mode == 'factor' else []
        return super().autoencoders() + own

    def recorded_reconstruction_loss(self) -> torch.Tensor:
        """Reconstruction error of the recorded teacher feature (summed over levels), plus FT terms'."""
        loss = super().recorded_reconstruction_loss()
        if self.ie_mode != 'factor':
            return loss
        levels = self._ie_levels(self.recorders['teacher'], self.ie_teacher, 'teacher')
        return loss + sum(self._autoencoder(i).reconstruction_loss(f) for i, f in enumerate(levels))

    # ------------------------------------------------------------------ phase 2
    @property
    def needs_teacher(self) -> bool:
        return True

    def split(self, feature: torch.Tensor):
        """(N, C, H, W) -> inheritance part (N, C/2, H, W), exploration part (N, C/2, H, W)."""
        return split_channels(feature, self.split_order, 'ie.student_channels', f"the student's {self.ie_student}")

    @staticmethod
    def _levels(recorder, names) -> tuple:
        return tuple(level for name in names for level in as_levels(recorder.get(name)))

    def _ie_levels(self, recorder, names, role: str) -> tuple:
        """The recorded outputs IE applies to (``ie.levels``), pooled by ``ie.pool``: each (N, C, H', W')."""
        levels = self._levels(recorder, names)
        self._check_levels(levels, role)
        chosen = [levels[i] for i in self.ie_levels]
        if self.ie_pool > 1:
            chosen = [nn.functional.avg_pool2d(f, self.ie_pool, ceil_mode=True) for f in chosen]
        return tuple(chosen)

    def _autoencoder(self, index: int) -> FactorAutoEncoder:
        """The auto-encoder of the ``index``-th level of ``ie.levels``."""
        return self.teacher_autoencoders[0 if self.ie_shared else index]

    def _encoders(self, index: int):
        index = 0 if self.ie_shared else index
        return self.inheritance_encoders[index], self.exploration_encoders[index]

    def _check_levels(self, levels, role: str) -> None:
        if len(levels) != self.num_levels:
            names = self.ie_student if role == 'student' else self.ie_teacher
            raise ValueError(f'`ie.num_levels` is {self.num_levels} but the {role}\'s {names} give '
                             f'{len(levels)} output(s)')

    def distill_losses_of_step(self) -> Dict[str, torch.Tensor]:
        losses = super().distill_losses_of_step()  # raises if phase 1 has not run
        student_levels = self._ie_levels(self.recorders['student'], self.ie_student, 'student')
        teacher_levels = self._ie_levels(self.recorders['teacher'], self.ie_teacher, 'teacher')
        loss_inh, loss_exp = 0., 0.
        for level, (feat_s, feat_t) in enumerate(zip(student_levels, teacher_levels)):
            encoders, target = None, feat_t
            if self.ie_mode == 'factor':
                with torch.no_grad():
                    target = self._autoencoder(level).encode(feat_t)
                encoders = self._encoders(level)
            inh, exp = inherit_and_explore(feat_s, target, self.split_order, encoders,
                                           (self.inheritance_loss, self.exploration_loss),
                                           'ie.student_channels', f"the student's {self.ie_student}")
            loss_inh, loss_exp = loss_inh + inh, loss_exp + exp
        losses['ie.loss_inh'] = self.ie_weight_factor * loss_inh
        losses['ie.loss_exp'] = self.ie_weight_factor * loss_exp
        return losses
