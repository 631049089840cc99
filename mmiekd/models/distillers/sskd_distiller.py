"""SSKD: stage-by-stage knowledge transfer, then the task head alone (Gao et al., arXiv 1812.01819).

Stage k trains the student's backbone stage k (the stem too, in stage 1) to mimic the teacher's stage-k
output (MSE, through a 1x1 conv + BN connector where channels differ); earlier stages are frozen, later ones
do not run, and neither network runs past stage k. Then the head phase trains everything after the backbone
with the task loss alone; the backbone is frozen and the teacher is not run. No loss weight is balanced
against another. ``mmiekd.SSKDStageHook`` moves the model from stage to stage.
"""
import warnings
from typing import Dict, List, Optional, Sequence, Union

import torch
import torch.nn.functional as F
from torch import nn

from mmiekd.models.losses.base_distill_loss import check_loss_weight
from mmiekd.registry import MODELS
from mmiekd.utils.model_config import check_config_keys, with_build_scopes
from .output_recorder import OutputRecorder, check_module_name, evaluating, probe_outputs
from .single_teacher_distiller import DistillerCore, end_of_build

@MODELS.register_module()
class SSKDDistiller(DistillerCore):
    """Stage-by-stage distillation of a backbone, then head training.

    Args:
        student (dict | str): Student model (config dict, ``pkg::path`` or local config file).
        teacher (dict | str): Teacher model, same forms.
        teacher_ckpt (str, optional): Teacher weights (loaded strictly, on CPU, with the safe loader).
        stages (list[dict]): In forward order, one per backbone stage: ``student`` and ``teacher`` module
            names (e.g. ``'backbone.layer1'``), ``length`` (iterations or epochs, as the hook counts), and
            ``connector`` (e.g. ``mmiekd.ConvConnector``, where channels differ; ``adaptor``, its former name,
            is still read, with a deprecation warning).
            The student's stage modules must be children of one module (the backbone), listed in the order
            they are registered; children before the first stage (the stem) are trained with stage 1, and a
            child with parameters after it that is in no stage is an error.
        head_length (int): Length of the head phase.
        loss_weight (float): Weight of the mimic loss (a scale only: no other loss is balanced against it).
        save_teacher (bool): Keep the teacher's weights in training checkpoints (default: left out, as in
            :class:`SingleTeacherDistiller`).
        nonfinite_loss (str): ``'raise'`` or ``'skip'``, as in :class:`SingleTeacherDistiller`.
        teacher_precision (str, optional): ``'bf16'`` or ``'fp16'``: the teacher's forward in that autocast
            dtype, its stage output cast back to fp32 (the mimic loss is always fp32), as in
            :class:`SingleTeacherDistiller`.
        data_preprocessor (dict | nn.Module, optional): As in :class:`SingleTeacherDistiller`.
    """

    #: The method family (read by tools such as the speed tool).
    method = 'sskd'

    def __init__(self, student: Union[str, dict], teacher: Union[str, dict], stages: Sequence[dict],
                 head_length: int, teacher_ckpt: Optional[str] = None, loss_weight: float = 1.0,
                 save_teacher: bool = False, nonfinite_loss: str = 'raise', teacher_precision: Optional[str] = None,
                 data_preprocessor: Optional[Union[dict, nn.Module]] = None, init_cfg: Optional[dict] = None):
        loss_weight = check_loss_weight(loss_weight, 'loss_weight', 'mmiekd.SSKDDistiller')
        super().__init__(student, teacher, teacher_ckpt=teacher_ckpt, save_teacher=save_teacher,
                         teacher_precision=teacher_precision, nonfinite_loss=nonfinite_loss,
                         data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.loss_weight = loss_weight
        self.stages = self._check_stages(stages)
        if not isinstance(head_length, int) or head_length < 1:
            raise ValueError(f'`head_length` must be a positive int, got {head_length!r}')
        self.lengths = [s['length'] for s in self.stages] + [head_length]
        self.connectors = nn.ModuleList(
            MODELS.build(with_build_scopes(s['connector'])) if s.get('connector') else nn.Identity()
            for s in self.stages)
        # Checkpoints written before the connectors had their name (keys ``adaptors.<i>.*``) still load.
        self.register_load_state_dict_pre_hook(_rename_adaptor_keys)
        self.stage_params = self._assign_parameters()
        # recorders[<network>][<stage>]: each stage stops both networks right after its module (a backbone
        # stage runs once per forward).
        self.recorders = {role: [OutputRecorder(net, [s[role]], stop_early=True, role=role, key=f'stages[{i}]',
                                                calls_per_forward=1) for i, s in enumerate(self.stages)]
                          for role, net in (('student', self.student), ('teacher', self.teacher))}
        # The current stage (len(stages) = head phase): model state, saved in checkpoints.
        self.register_buffer('stage', torch.tensor(0))
        self.set_stage(0)
        self._check_shapes_at_build()
        end_of_build(self)

    # ------------------------------------------------------------------ construction
    def _check_shapes_at_build(self) -> None:
        """Checks each stage's (adapted) student output against the teacher's on a dummy batch, so that a
        mismatch is reported before the first iteration."""
        dummy = torch.zeros(1, 3, 64, 64)
        student_out = probe_outputs(self.student, [s['student'] for s in self.stages], dummy)
        teacher_out = probe_outputs(self.teacher, [s['teacher'] for s in self.stages], self.teacher_input(dummy))
        for index, stage in enumerate(self.stages):
            if stage['student'] in student_out and stage['teacher'] in teacher_out:
                with evaluating(self.connectors[index]):
                    connected = self.connectors[index](student_out[stage['student']])
                self._check_stage_shape(index, connected, teacher_out[stage['teacher']])

    def _check_stage_shape(self, index: int, student_out: torch.Tensor, teacher_out: torch.Tensor) -> None:
        if student_out.shape[1:] == teacher_out.shape[1:]:
            return
        stage = self.stages[index]
        hint = ''
        if student_out.dim() == 4 and student_out.shape[1] != teacher_out.shape[1]:
            hint = (f' Add `connector=dict(type=\'mmiekd.ConvConnector\', in_channels={student_out.shape[1]}, '
                    f'out_channels={teacher_out.shape[1]})` to the stage.')
        raise ValueError(f'`stages[{index}]`: the student\'s "{stage["student"]}" output has shape '
                         f'{tuple(student_out.shape)} (after the connector, if any) and the teacher\'s '
                         f'"{stage["teacher"]}" output has shape {tuple(teacher_out.shape)}.{hint}')

    def _check_stages(self, stages) -> List[dict]:
        if not stages:
            raise ValueError('`stages` must list at least one (student, teacher) stage pair')
        checked = []
        for i, stage in enumerate(stages):
            key = f'stages[{i}]'
            stage = _renamed_adaptor(stage, key)
            check_config_keys(stage, key, required=('student', 'teacher', 'length'), optional=('connector', ))
            if not isinstance(stage['length'], int) or stage['length'] < 1:
                raise ValueError(f'`{key}.length` must be a positive int, got {stage["length"]!r}')
            check_module_name(self.student, stage['student'], f'{key}.student', 'student')
            check_module_name(self.teacher, stage['teacher'], f'{key}.teacher', 'teacher')
            checked.append(dict(stage))
        return checked

    def _assign_parameters(self) -> List[List[nn.Parameter]]:
        """Parameters trained in each stage, and (last) in the head phase; checks the stage list."""
        names = [s['student'] for s in self.stages]
        parents = {n.rsplit('.', 1)[0] if '.' in n else '' for n in names}
        if len(parents) != 1:
            raise ValueError(f'`stages`: the student stages {names} must be children of one module (the '
                             f'backbone), found parents {sorted(parents)}')
        parent_name = parents.pop()
        parent = self.student.get_submodule(parent_name) if parent_name else self.student
        children = [n for n, _ in parent.named_children()]
        short = [n.rsplit('.', 1)[-1] for n in names]
        positions = [children.index(n) for n in short]
        if positions != sorted(positions):
            raise ValueError(f'`stages`: the student stages must be listed in forward order {sorted(short, key=children.index)}, '
                             f'got {short}')
        params: List[List[nn.Parameter]] = [list(self.connectors[i].parameters()) for i in range(len(names))]
        for child_name, child in parent.named_children():
            if child_name in short:
                params[short.index(child_name)] += list(child.parameters())
            elif children.index(child_name) < positions[0]:
                params[0] += list(child.parameters())  # the stem runs before stage 1 and learns with it
            elif any(True for _ in child.parameters()):
                prefix = f'{parent_name}.' if parent_name else ''
                raise ValueError(f'`stages` does not match the backbone: "{prefix}{child_name}" has parameters but '
                                 f'is in no stage (stages: {names}); list every stage of "{parent_name}"')
        backbone = {id(p) for p in parent.parameters()}
        params.append([p for p in self.student.parameters() if id(p) not in backbone])
        self.backbone_name = parent_name
        return params

    # ------------------------------------------------------------------ schedule
    @property
    def num_stages(self) -> int:
        return len(self.stages)

    @property
    def in_head_phase(self) -> bool:
        return int(self.stage) >= self.num_stages

    def stage_at(self, progress: int) -> int:
        """The stage index for ``progress`` iterations/epochs done (``num_stages`` = head phase)."""
        total = 0
        for index, length in enumerate(self.lengths):
            total += length
            if progress < total:
                return index
        return self.num_stages

    def set_stage(self, index: int) -> None:
        """Makes stage ``index`` (or the head phase) the only trainable part; everything else is frozen."""
        if not 0 <= index <= self.num_stages:
            raise ValueError(f'stage must be in [0, {self.num_stages}], got {index}')
        self.stage.fill_(index)
        self.student.requires_grad_(False)
        self.connectors.requires_grad_(False)
        for param in self.parameters():
            param.grad = None  # a frozen parameter gets no weight decay or momentum step (its grad is None)
        for param in self.stage_params[index]:
            param.requires_grad_(True)
        self.train(self.training)

    def train(self, mode: bool = True):
        """Frozen stages keep their BN statistics: everything transferred (and the teacher) stays in eval."""
        super().train(mode)  # the teacher stays in eval mode
        if not mode:
            return self
        index = int(self.stage)
        parent = self.student.get_submodule(self.backbone_name) if self.backbone_name else self.student
        if index >= self.num_stages:
            parent.eval()
        else:
            for i, stage in enumerate(self.stages):
                if i < index:
                    self.student.get_submodule(stage['student']).eval()
                    self.connectors[i].eval()
            if index > 0:
                short = {s['student'].rsplit('.', 1)[-1] for s in self.stages}
                first = [n for n, _ in parent.named_children()].index(self.stages[0]['student'].rsplit('.', 1)[-1])
                for position, (name, child) in enumerate(parent.named_children()):
                    if position < first and name not in short:
                        child.eval()  # the stem, transferred with stage 1
        return self

    # ------------------------------------------------------------------ forward
    def forward(self, inputs: torch.Tensor, data_samples: Optional[list] = None, mode: str = 'tensor'):
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        return self.student(inputs, data_samples, mode)

    def loss(self, inputs: torch.Tensor, data_samples: Optional[list] = None) -> Dict[str, torch.Tensor]:
        """Stage k: the stage's mimic loss only. Head phase: the student's task losses only."""
        index = int(self.stage)
        if index >= self.num_stages:
            return self.name_task_losses(self.student(inputs, data_samples, mode='loss'))
        student_rec, teacher_rec = self.recorders['student'][index], self.recorders['teacher'][index]
        stage = self.stages[index]
        self.run_teacher_into(teacher_rec, inputs, data_samples)  # stops right after the stage
        with student_rec.recording():
            self.student.extract_feat(inputs)
        student_out = self.connectors[index](student_rec.get(stage['student']))
        teacher_out = teacher_rec.get(stage['teacher'])
        student_rec.clear()
        teacher_rec.clear()
        self._check_stage_shape(index, student_out, teacher_out)
        with torch.autocast(device_type=student_out.device.type, enabled=False):
            mimic = F.mse_loss(student_out.float(), teacher_out.float())
        losses = {f'sskd.loss_stage{index + 1}': self.loss_weight * mimic}
        skipped = self.guard_nonfinite(losses)
        return losses if skipped is None else skipped


def _renamed_adaptor(stage: dict, key: str) -> dict:
    """A stage config with ``adaptor`` (the former name) read as ``connector``, the name of every method."""
    if 'adaptor' not in stage:
        return stage
    if 'connector' in stage:
        raise KeyError(f'`{key}`: give `connector` only (`adaptor` is its former name), got both')
    warnings.warn(f'`{key}.adaptor` is deprecated: name it `connector` (as in every mmiekd distiller)',
                  DeprecationWarning, stacklevel=4)
    stage = dict(stage)
    stage['connector'] = stage.pop('adaptor')
    return stage


def _rename_adaptor_keys(module, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                         error_msgs) -> None:
    old = prefix + 'adaptors.'
    for key in [k for k in state_dict if k.startswith(old)]:
        state_dict[prefix + 'connectors.' + key[len(old):]] = state_dict.pop(key)
