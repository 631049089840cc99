"""IAKD: interactive knowledge distillation by swapping teacher blocks into the student (Fu et al., 2021).

In each training forward, each student block is replaced with probability ``p`` by the corresponding frozen
teacher block, which then processes the student's own running feature; the task loss of this hybrid network
trains the student blocks, and gradients flow through the (frozen, eval-mode) teacher blocks to the student
blocks before them. ``mmiekd.IAKDSwapHook`` decays ``p`` to 0, so training ends with the pure student, which
is also what evaluation and export use.

Every trainable parameter takes part in every step's loss: the parameters that the hybrid forward does not
use (those of the swapped student blocks, of the connectors of the blocks that are not swapped, of inactive
``distill`` terms) enter the total loss as their sum times 0 (not logged: it is always 0), so they get a
gradient of exactly 0. DDP therefore needs no ``find_unused_parameters``, and one process and many behave alike.
"""
import numbers
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from mmengine.model import BaseModule
from torch import nn

from mmiekd.registry import MODELS
from mmiekd.utils.model_config import check_config_keys, with_build_scopes
from .output_recorder import check_module_name, evaluating
from .single_teacher_distiller import SingleTeacherDistiller, end_of_build


def check_probability(value, key: str = 'swap_prob', noun: str = 'a probability') -> float:
    """Returns ``value`` as a float, or raises if it is not a number in [0, 1].

    Args:
        value: The configured probability.
        key (str): The config key, named in the error.
        noun (str): What the value is, for the error.

    Raises:
        TypeError: ``value`` is not a real number (a string, a bool, None...).
        ValueError: ``value`` is outside [0, 1] or NaN.
    """
    expected = f'`{key}` must be {noun} in [0, 1], got {value!r}'
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f'{expected} ({type(value).__name__})')
    if not 0.0 <= value <= 1.0:  # False for NaN too
        raise ValueError(expected)
    return float(value)


@MODELS.register_module()
class IAKDSwapBlock(BaseModule):
    """A student block that one teacher block can stand in for; IAKD puts it in the student's place.

    When :attr:`swapped` is set, the student block is not computed: the frozen teacher block (eval mode, no
    parameter gradients) transforms the student's running feature, bridged by the connectors, and passes
    gradients back to the student blocks before it. Otherwise it is the student block.

    The wrapper holds its own swap state, and its teacher block and connectors are plain references, not
    submodules: the student's parameters, DDP and checkpoints see only the student block, and under
    ``copy.deepcopy`` (of the distiller, or of the student alone) a copy computes with the copy's own
    weights. Its state dict has the student block's keys without a ``student.`` level (loading accepts both),
    so checkpoints and exported students keep mmdet's/mmpretrain's keys. It is an MMEngine ``BaseModule``
    without an ``init_cfg`` of its own, so ``init_weights`` reaches the block's own initialisation (e.g.
    mmdet's ``zero_init_residual``, an ``init_cfg`` of the blocks of a ResNet stage) as without the wrapper.

    Args:
        student (nn.Module): The student block; it becomes the submodule ``student``.
        teacher (nn.Module): The teacher block (owned by the teacher network).
        in_connector (nn.Module): Student feature (N, C_s, H, W) -> the teacher block's input.
        out_connector (nn.Module): The teacher block's output -> the student block's output shape.
    """

    def __init__(self, student: nn.Module, teacher: nn.Module, in_connector: nn.Module,
                 out_connector: nn.Module):
        super().__init__(init_cfg=None)
        self.student = student
        # Plain attributes (object.__setattr__ skips nn.Module's registration): owned elsewhere.
        object.__setattr__(self, 'teacher', teacher)
        object.__setattr__(self, 'in_connector', in_connector)
        object.__setattr__(self, 'out_connector', out_connector)
        self.swapped = False
        self._register_state_dict_hook(_drop_student_level)
        self.register_load_state_dict_pre_hook(_add_student_level)

    # A stage wrapped in place of an nn.Sequential still indexes and iterates like it.
    def __getitem__(self, index):
        return self.student[index]

    def __len__(self) -> int:
        return len(self.student)

    def __iter__(self):
        return iter(self.student)

    def forward(self, x, *args, **kwargs):
        """x: the block's input, e.g. (N, C_s, H, W) -> the student block's output shape."""
        if not self.swapped:
            return self.student(x, *args, **kwargs)
        return self.out_connector(self.teacher(self.in_connector(x), *args, **kwargs))


def _drop_student_level(module, state_dict, prefix, local_metadata) -> None:
    inner = prefix + 'student.'
    for key in [k for k in state_dict if k.startswith(inner)]:
        state_dict[prefix + key[len(inner):]] = state_dict.pop(key)


def _add_student_level(module, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                       error_msgs) -> None:
    inner = prefix + 'student.'
    for key in [k for k in state_dict if k.startswith(prefix) and not k.startswith(inner)]:
        state_dict[inner + key[len(prefix):]] = state_dict.pop(key)


@MODELS.register_module()
class IAKDDistiller(SingleTeacherDistiller):
    """Randomly swaps frozen teacher blocks into the student during training.

    Args:
        blocks (list[dict]): Pairs ``dict(student=<module>, teacher=<module>)`` (e.g. the ResNet stages
            ``'backbone.layer1'``...), each replaceable by the other: same input and output shapes, checked
            at build time on a dummy input of ``input_shape``. Where they differ, ``in_connector`` (student
            feature -> teacher block input) and ``out_connector`` (teacher block output -> student feature)
            configs bridge them.
        swap_prob (float): Initial swap probability (``IAKDSwapHook`` schedules it).
        seed (int): Seed of the draws. Draw ``s`` (one per training step, one Bernoulli per block) depends
            only on the seed and ``s``, so every DDP rank swaps the same blocks and a resumed run continues
            the same sequence.
        input_shape (tuple): ``(C, H, W)`` of the dummy input of the build-time shape check; ``None`` skips
            it (mismatches are then reported on the first batch).
        **kwargs: Arguments of :class:`SingleTeacherDistiller`; ``distill`` adds optional terms (e.g. logit
            KD). Without an active term the teacher as a whole is never run.

    Losses: those of :class:`SingleTeacherDistiller` (the hybrid network's task losses, ``distill.loss_*``)
    The total loss (:meth:`parse_losses`) also holds an exact 0, not logged: the sum of the trainable
    parameters that this step does not use, times 0 (those of the swapped student blocks, of the connectors of the blocks that are not swapped, and of
    inactive ``distill`` terms). So every trainable parameter gets a gradient in every step: a swapped block
    gets a gradient of exactly 0, and the optimizer still steps it (momentum, weight decay), exactly alike on
    one process and under DDP, which needs no ``find_unused_parameters``.
    """

    #: The method family (read by tools such as the speed tool).
    method = 'iakd'

    def __init__(self, blocks: Sequence[dict], swap_prob: float = 0.5, seed: int = 0,
                 input_shape: Optional[Tuple[int, int, int]] = (3, 64, 64), **kwargs):
        super().__init__(**kwargs)
        if not blocks:
            raise ValueError('`blocks` must list at least one (student, teacher) block pair')
        self.seed = int(seed)
        self.blocks: List[dict] = []
        self.in_connectors = nn.ModuleList()
        self.out_connectors = nn.ModuleList()
        for i, block in enumerate(blocks):
            key = f'blocks[{i}]'
            check_config_keys(block, key, required=('student', 'teacher'),
                              optional=('in_connector', 'out_connector'))
            check_module_name(self.student, block['student'], f'{key}.student', 'student')
            check_module_name(self.teacher, block['teacher'], f'{key}.teacher', 'teacher')
            for j, earlier in enumerate(self.blocks):
                if earlier['student'] == block['student']:
                    raise ValueError(f'`{key}.student`: "{block["student"]}" is already the student block of '
                                     f'`blocks[{j}]`; each student block can be swapped by one teacher block')
            self.blocks.append(dict(block))
            for name, modules in (('in_connector', self.in_connectors), ('out_connector', self.out_connectors)):
                modules.append(MODELS.build(with_build_scopes(block[name])) if block.get(name) else nn.Identity())
        # Schedule state, saved in checkpoints: the current probability and the number of draws made.
        self.register_buffer('swap_prob', torch.tensor(check_probability(swap_prob)))
        self.register_buffer('swap_step', torch.tensor(0, dtype=torch.long))
        self.swapped: List[bool] = [False] * len(self.blocks)
        if input_shape is not None:
            self._check_shapes(input_shape)
        # Innermost blocks first, so that the names of nested blocks still resolve when they are wrapped.
        self.swap_blocks: List[Optional[IAKDSwapBlock]] = [None] * len(self.blocks)
        for index in sorted(range(len(self.blocks)), key=lambda i: -self.blocks[i]['student'].count('.')):
            self.swap_blocks[index] = self._wrap(index, self.blocks[index])
        end_of_build(self)

    # ------------------------------------------------------------------ construction
    def _wrap(self, index: int, block: dict) -> IAKDSwapBlock:
        parent_name, _, child_name = block['student'].rpartition('.')
        parent = self.student.get_submodule(parent_name) if parent_name else self.student
        wrapper = IAKDSwapBlock(getattr(parent, child_name), self.teacher.get_submodule(block['teacher']),
                                self.in_connectors[index], self.out_connectors[index])
        setattr(parent, child_name, wrapper)
        return wrapper

    def _check_shapes(self, input_shape) -> None:
        shapes: Dict[Tuple[str, int], tuple] = {}
        handles = []
        for index, block in enumerate(self.blocks):
            for role, net in (('student', self.student), ('teacher', self.teacher)):
                def record(module, args, output, key=(role, index)):
                    shapes[key] = (tuple(args[0].shape[1:]), tuple(output.shape[1:]))
                handles.append(net.get_submodule(block[role]).register_forward_hook(record))
        states = (self.student.training, self.teacher.training)
        self.student.eval()
        self.teacher.eval()
        try:
            with torch.no_grad():
                dummy = torch.zeros(1, *input_shape)
                self.student.extract_feat(dummy)
                self.teacher.extract_feat(dummy)
        finally:
            for handle in handles:
                handle.remove()
            self.student.train(states[0])
            self.teacher.eval()
        for index, block in enumerate(self.blocks):
            (s_in, s_out), (t_in, t_out) = shapes[('student', index)], shapes[('teacher', index)]
            # Connectors in eval mode: the check leaves their BN statistics untouched.
            with evaluating(self.in_connectors[index]) as connector:
                bridged_in = tuple(connector(torch.zeros(1, *s_in)).shape[1:])
            if bridged_in != t_in:
                raise ValueError(f'`blocks[{index}]`: the student block "{block["student"]}" takes {s_in} but the '
                                 f'teacher block "{block["teacher"]}" takes {t_in} (per sample): set '
                                 f'`blocks[{index}].in_connector` (e.g. mmiekd.ConvConnector) to bridge them')
            with evaluating(self.out_connectors[index]) as connector:
                bridged_out = tuple(connector(torch.zeros(1, *t_out)).shape[1:])
            if bridged_out != s_out:
                raise ValueError(f'`blocks[{index}]`: the teacher block "{block["teacher"]}" gives {t_out} but the '
                                 f'student block "{block["student"]}" gives {s_out} (per sample): set '
                                 f'`blocks[{index}].out_connector` to bridge them')

    def train(self, mode: bool = True):
        """As the base; in training mode, also checks that every student block to swap can learn (mmdet's
        ``frozen_stages`` freezes stages when the model enters training mode)."""
        super().train(mode)
        if mode:
            for index, block in enumerate(self.blocks):
                module = self.swap_blocks[index].student
                if not any(p.requires_grad for p in module.parameters()):
                    raise ValueError(
                        f'`blocks[{index}].student`: "{block["student"]}" has no trainable parameter (frozen by the '
                        'student\'s config, e.g. mmdet\'s `backbone.frozen_stages`): swapping it trains nothing. '
                        'Leave it out of `blocks` or unfreeze it.')
        return self

    # ------------------------------------------------------------------ schedule
    def set_swap_prob(self, value: float) -> None:
        self.swap_prob.fill_(check_probability(value))

    def draw(self, step: int) -> List[bool]:
        """The swaps of draw ``step``: one Bernoulli(p) per block, from ``seed`` and ``step`` only."""
        generator = torch.Generator().manual_seed(self.seed * 1_000_003 + step)
        return (torch.rand(len(self.blocks), generator=generator) < float(self.swap_prob)).tolist()

    # ------------------------------------------------------------------ forward
    def loss(self, inputs: torch.Tensor, data_samples: Optional[list] = None) -> Dict[str, torch.Tensor]:
        """The hybrid network's task losses (plus optional distillation terms); :meth:`parse_losses` adds the
        exact 0 through which the parameters that this step does not use get a zero gradient."""
        self.swapped = self.draw(int(self.swap_step))
        self.swap_step += 1
        for wrapper, swapped in zip(self.swap_blocks, self.swapped):
            wrapper.swapped = swapped
        try:
            losses = super().loss(inputs, data_samples)
        finally:
            for wrapper in self.swap_blocks:
                wrapper.swapped = False
        unused = self.unused_parameters()
        self._unused_zero = sum(p.sum() for p in unused) * 0.0 if unused else None
        return losses

    def parse_losses(self, losses: Dict[str, torch.Tensor]) -> Tuple[torch.Tensor, Dict[str, torch.Tensor]]:
        """The base's total and log, plus (in the total only) the exact 0 over this step's unused parameters."""
        total, log_vars = super().parse_losses(losses)
        zero, self._unused_zero = getattr(self, '_unused_zero', None), None
        return (total if zero is None else total + zero), log_vars

    def effectively_swapped(self) -> List[bool]:
        """Per block: swapped in the current draw and not inside another swapped block (whose student block,
        with everything in it, is not computed at all)."""
        names = [block['student'] for block in self.blocks]
        return [self.swapped[i] and not any(self.swapped[j] and names[i].startswith(names[j] + '.')
                                            for j in range(len(names)))
                for i in range(len(names))]

    def unused_parameters(self) -> List[nn.Parameter]:
        """The trainable parameters that the current draw's hybrid forward does not use: those of the swapped
        student blocks, of the connectors of the blocks that are not swapped, of inactive ``distill`` terms."""
        modules: List[nn.Module] = []
        for index, swapped in enumerate(self.effectively_swapped()):
            if swapped:
                modules.append(self.swap_blocks[index].student)
            else:
                modules += [self.in_connectors[index], self.out_connectors[index]]
        for name in self.terms:
            if name not in self.active_terms:
                modules.append(self.distill_losses[name])
                if name in self.connectors:
                    modules.append(self.connectors[name])
        params: Dict[int, nn.Parameter] = {}
        for module in modules:
            for param in module.parameters():
                if param.requires_grad:
                    params.setdefault(id(param), param)
        return list(params.values())
