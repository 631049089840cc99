"""A student trained with a frozen teacher: the machinery every mmiekd method builds on."""
import contextlib
import copy
import warnings
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

import torch
from mmengine.logging import MessageHub, print_log
from mmengine.model import BaseModel
from torch import nn

from mmiekd.registry import MODELS
from mmiekd.utils.checkpoint import load_weights_strictly
from mmiekd.utils.model_config import check_config_keys, load_model_cfg, with_build_scopes
from mmiekd.utils.mmcv_half_ops import mmcv_half_ops
from mmiekd.utils.random_state import get_random_state, random_state_kept, set_random_state
from .output_recorder import OutputRecorder, check_module_name, evaluating, probe_outputs
from .teacher_inputs import TeacherInputAdapter


def as_levels(output) -> Tuple[torch.Tensor, ...]:
    """Flattens a recorded output into its tensors: one tensor -> (t,); FPN levels -> (t0, t1, ...)."""
    if isinstance(output, torch.Tensor):
        return (output, )
    levels = []
    for item in output:
        levels.extend(as_levels(item))
    return tuple(levels)


def build_networks(specs: Dict[str, Union[str, dict]],
                   data_preprocessor: Optional[Union[dict, nn.Module]]
                   ) -> Tuple[List[BaseModel], nn.Module, Dict[str, Any]]:
    """Builds the networks of a distiller, each from a config dict, ``pkg::path`` or local config file.

    MMPretrain configs describe normalisation once, beside the data; the runner passes it to the distiller as
    a dict ``data_preprocessor``, which goes to every network whose own config has none.

    The first network (the student) is built from the run's random stream exactly as the runner would build
    it alone; the others draw inside :func:`mmiekd.utils.random_state_kept`. The distiller restores the
    returned state when its construction ends (:func:`end_of_build`), so that whatever else it builds
    (connectors, auto-encoders, build-time checks) leaves the run's stream where the student alone leaves it.

    Args:
        specs (dict): ``{config key: model spec}``, e.g. ``{'student': ..., 'teacher': ...}``; keys name errors.
        data_preprocessor (dict | nn.Module, optional): The distiller's ``data_preprocessor`` argument.

    Returns:
        tuple: The built networks (in ``specs`` order), the preprocessor the distiller uses (the given
        module, else the first network's) and the random state right after the first network was built.
    """
    cfgs = [load_model_cfg(spec, key) for key, spec in specs.items()]
    if isinstance(data_preprocessor, dict):
        for cfg in cfgs:
            cfg.setdefault('data_preprocessor', copy.deepcopy(data_preprocessor))
    networks = [MODELS.build(cfgs[0])]
    state = get_random_state()
    with random_state_kept():
        networks += [MODELS.build(cfg) for cfg in cfgs[1:]]
    if not isinstance(data_preprocessor, nn.Module):
        data_preprocessor = networks[0].data_preprocessor
    return networks, data_preprocessor, state


def end_of_build(distiller: nn.Module) -> None:
    """Called last in a distiller's ``__init__`` (and in each subclass's): the run's random stream is set back
    to where the student alone would leave it (the state :func:`build_networks` returned, kept in
    ``distiller._random_state_after_student``)."""
    set_random_state(distiller._random_state_after_student)


def init_weights_student_first(student: nn.Module, init_rest: Callable[[], None]) -> None:
    """A distiller's ``init_weights``: the student's own initialisation first, from the run's random stream as
    without distillation, then ``init_rest`` (the distiller's ``BaseModule.init_weights``, which skips the
    initialised student) with the stream kept, so that training draws what the student alone would draw.

    Args:
        student (nn.Module): The network whose initialisation must match the run without distillation.
        init_rest (callable): Initialises everything else.
    """
    if hasattr(student, 'init_weights') and not getattr(student, 'is_init', False):
        student.init_weights()
    with random_state_kept():
        init_rest()


_TEACHER_WEIGHTS = dict(needed=True)


@contextlib.contextmanager
def teacher_weights_not_needed():
    """Distillers built inside this block do not load ``teacher_ckpt`` (nor ``ie.autoencoder_ckpt``).

    ``tools/test.py`` builds the model in it: evaluating a distilled student needs only the training
    checkpoint (student, connectors, auto-encoders), not the teacher's file, which may not be on the machine.
    """
    previous = _TEACHER_WEIGHTS['needed']
    _TEACHER_WEIGHTS['needed'] = False
    try:
        yield
    finally:
        _TEACHER_WEIGHTS['needed'] = previous


def teacher_weights_needed() -> bool:
    """False inside :func:`teacher_weights_not_needed`."""
    return _TEACHER_WEIGHTS['needed']


def prepare_frozen_teacher(teacher: nn.Module, teacher_ckpt: Optional[str], owner: str) -> None:
    """Loads ``teacher_ckpt`` strictly (or warns loudly without one) and freezes the teacher.

    Args:
        teacher (nn.Module): The built teacher.
        teacher_ckpt (str, optional): Its checkpoint.
        owner (str): The distiller's class name, for the warning.
    """
    if not teacher_weights_needed():
        print_log(f'{owner}: the teacher is built without loading `teacher_ckpt` (evaluating the student).',
                  logger='current')
    elif teacher_ckpt:
        load_weights_strictly(teacher, teacher_ckpt, 'teacher_ckpt')
        # The runner's init_weights() must not re-initialise (or re-download) the loaded teacher.
        teacher._is_init = True
    else:
        message = (f'!!! {owner}: no `teacher_ckpt` given: the teacher is UNTRAINED and the student will be '
                   'distilled from random features. Set `teacher_ckpt`. !!!')
        warnings.warn(message, stacklevel=3)
        print_log(message, logger='current', level=30)
    teacher.requires_grad_(False)
    teacher.eval()


def keep_teacher_out_of_ddp(distiller: nn.Module, attribute: str = 'teacher') -> None:
    """Tells DDP to leave the frozen teacher alone: its weights are neither broadcast when DDP wraps the model
    (SSKD's wrapper builds its DDP again at every stage) nor bucketed for gradient reduction.

    DDP reads ``_ddp_params_and_buffers_to_ignore`` (fully qualified names) from the module it wraps.
    """
    teacher = getattr(distiller, attribute)
    names = [f'{attribute}.{n}' for n, _ in teacher.named_parameters()]
    names += [f'{attribute}.{n}' for n, _ in teacher.named_buffers()]
    distiller._ddp_params_and_buffers_to_ignore = names


def leave_teacher_out_of_checkpoints(distiller: nn.Module) -> None:
    """Drops ``teacher.*`` from the distiller's state dict (training checkpoints stay student-sized; the teacher
    comes from ``teacher_ckpt`` on resume) and accepts its absence when loading."""
    distiller._register_state_dict_hook(_drop_teacher_weights)
    distiller.register_load_state_dict_post_hook(_accept_missing_teacher_weights)


class DistillTerm:
    """One ``distill`` entry: which outputs are compared, by which loss, through which connector."""

    def __init__(self, name: str, student: str, teacher: str):
        self.name = name
        self.student = student
        self.teacher = teacher


class NetworksCore(BaseModel):
    """What every mmiekd distiller is made of: its networks, built from configs with the first one (the
    student; IE-DML's ``net1``) drawn from the run's random stream and initialised exactly as without
    distillation, the preprocessor they share, the NaN/inf policy of distillation losses and the naming of task
    losses. :class:`DistillerCore` adds the frozen teacher; IE-DML (two networks that both learn) builds on this
    directly.

    Args:
        networks (dict): ``{name: model spec}`` in build order (config dict, ``pkg::path`` or local config
            file); each becomes the attribute ``name``, and names its config key in errors.
        nonfinite_loss (str): ``'raise'`` or ``'skip'`` (see :class:`SingleTeacherDistiller`).
        data_preprocessor (dict | nn.Module, optional): see :func:`build_networks`.
    """

    def __init__(self,
                 networks: Dict[str, Union[str, dict]],
                 nonfinite_loss: str = 'raise',
                 data_preprocessor: Optional[Union[dict, nn.Module]] = None,
                 init_cfg: Optional[dict] = None):
        check_nonfinite_mode(nonfinite_loss)
        built, data_preprocessor, random_state = build_networks(networks, data_preprocessor)
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self._random_state_after_student = random_state
        self.network_names = tuple(networks)
        for name, network in zip(self.network_names, built):
            setattr(self, name, network)
        self.nonfinite_loss = nonfinite_loss

    def init_weights(self):
        """The first network's initialisation as without distillation, then the rest (see
        :func:`init_weights_student_first`)."""
        init_weights_student_first(getattr(self, self.network_names[0]), super().init_weights)

    @staticmethod
    def name_task_losses(losses: Dict[str, torch.Tensor], network: str = 'student',
                         prefix_all: bool = False) -> Dict[str, torch.Tensor]:
        """A network's own losses as logged beside the distillation terms. A task loss named just ``loss``
        (MMPretrain's), the name MMEngine logs the total under, becomes ``<network>.loss``; with
        ``prefix_all`` (two networks that both learn) every key gets the ``<network>.`` prefix."""
        if prefix_all:
            return {f'{network}.{k}': v for k, v in losses.items()}
        if 'loss' in losses:
            losses[f'{network}.loss'] = losses.pop('loss')
        return losses

    def guard_nonfinite(self, losses: Dict[str, torch.Tensor], module: Optional[nn.Module] = None
                        ) -> Optional[Dict[str, torch.Tensor]]:
        """``None`` when every term of ``losses`` is finite; else what ``nonfinite_loss`` says (see
        :func:`on_nonfinite_loss`): an error, or the zero loss that skips the step for ``module``\'s
        trainable parameters (default: the whole distiller)."""
        if all_finite(losses):
            return None
        return on_nonfinite_loss(self if module is None else module, losses, self.nonfinite_loss)


class DistillerCore(NetworksCore):
    """What every distiller with a frozen teacher sets up on :class:`NetworksCore`: the two networks
    ``student`` and ``teacher``, the frozen teacher (loaded strictly, kept out of DDP and, unless
    ``save_teacher``, out of checkpoints), the teacher's input adaptation and its precision.
    :class:`SingleTeacherDistiller` (and through it IE-KD, IAKD, FT) and SSKD build on it.

    Args: as :class:`SingleTeacherDistiller`'s arguments of the same names.
    """

    def __init__(self,
                 student: Union[str, dict],
                 teacher: Union[str, dict],
                 teacher_ckpt: Optional[str] = None,
                 save_teacher: bool = False,
                 teacher_precision: Optional[str] = None,
                 nonfinite_loss: str = 'raise',
                 data_preprocessor: Optional[Union[dict, nn.Module]] = None,
                 init_cfg: Optional[dict] = None):
        teacher_dtype = check_teacher_precision(teacher_precision)
        super().__init__(dict(student=student, teacher=teacher), nonfinite_loss=nonfinite_loss,
                         data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.teacher_dtype = teacher_dtype
        prepare_frozen_teacher(self.teacher, teacher_ckpt, type(self).__name__)
        keep_teacher_out_of_ddp(self)
        if not save_teacher:
            leave_teacher_out_of_checkpoints(self)
        self.teacher_input = TeacherInputAdapter(self.student.data_preprocessor, self.teacher.data_preprocessor)

    def train(self, mode: bool = True):
        """Sets the training mode of everything but the teacher, which always stays in eval mode."""
        super().train(mode)
        self.teacher.eval()
        return self

    def run_teacher_into(self, recorder: OutputRecorder, inputs: torch.Tensor,
                         data_samples: Optional[list] = None) -> None:
        """The one teacher forward of every method: no grad, the teacher's own normalisation of the batch
        (:class:`TeacherInputAdapter`), its precision (``teacher_precision``), stopped by ``recorder`` as soon as
        its last output is in (no head or post-processing past it); recorded outputs are cast back to fp32.

        Args:
            recorder (OutputRecorder): A recorder of the teacher (``stop_early=True``).
            inputs (Tensor): (N, C, H, W) batch, normalised by the student's preprocessor.
            data_samples (list, optional): The batch's data samples.
        """
        with torch.no_grad(), teacher_autocast(self.teacher_dtype, inputs), recorder.recording():
            self.teacher(self.teacher_input(inputs), data_samples, mode='tensor')
        if self.teacher_dtype is not None:
            recorder.cast(torch.float32)


@MODELS.register_module()
class SingleTeacherDistiller(DistillerCore):
    """Trains ``student`` with distillation terms against a frozen ``teacher``.

    Train: the student's own losses (a task loss named just ``loss``, as MMPretrain's, becomes
    ``student.loss`` so that it is not confused with the logged total) plus one ``distill.loss_<term>``
    per active term. Validation, test and
    ``predict`` are the student's (so mmdet/mmpretrain evaluators work unchanged); set
    :attr:`eval_teacher` to evaluate the teacher instead (``mmiekd.TeacherValHook`` does).

    Args:
        student (dict | str): Model config dict, ``'mmdet::path.py'``/``'mmpretrain::path.py'`` config, or a
            local config file whose ``model`` is used.
        teacher (dict | str): Same forms as ``student``.
        teacher_ckpt (str, optional): Teacher weights, loaded on CPU with the safe loader; every key and
            shape must fit. Without it the teacher is untrained (a warning says so).
        distill (dict): ``{term: dict(student=<module>, teacher=<module>, loss=<loss cfg>,
            connector=<cfg | list of cfgs | None>)}``. Module names are those of ``named_modules()``
            (``'neck'``, ``'backbone.layer3'``, ``'head.fc'``). An output that is a tuple/list (FPN levels),
            or a module that runs several times per forward, is distilled level by level and the levels'
            losses are summed. A list of connector configs gives one connector per level.
        save_teacher (bool): Keep the teacher's weights in training checkpoints. By default they are left
            out: the teacher is rebuilt from ``teacher``/``teacher_ckpt`` on resume.
        extra_outputs (Sequence[tuple]): ``(student module, teacher module)`` pairs that subclasses record
            for losses of their own (IE-KD's features).
        teacher_precision (str, optional): ``'bf16'`` or ``'fp16'`` runs the teacher's forward under
            autocast in that dtype (about half the teacher's time and activation memory on GPUs); its
            recorded outputs are cast back to fp32, and losses are always computed in fp32. ``None``: the
            teacher runs in the precision of the step (fp32, or the ``--amp`` dtype).
        nonfinite_loss (str): What a NaN or inf distillation loss does: ``'raise'`` (default) stops training
            with a ``FloatingPointError`` naming the term and the iteration, before any weight is updated;
            ``'skip'`` logs a warning and makes the step a no-op for the gradients (every trainable
            parameter gets a zero gradient; momentum and weight decay still apply, as for any zero gradient).
        data_preprocessor (dict | nn.Module, optional): A dict (MMPretrain configs set it beside the data)
            is given to the student and teacher whose configs have none; the distiller always preprocesses
            with the student's. The teacher's own normalisation is applied to the same batch by
            :class:`TeacherInputAdapter`.
    """

    #: The method family (read by tools such as the speed tool).
    method = 'single_teacher'

    def __init__(self,
                 student: Union[str, dict],
                 teacher: Union[str, dict],
                 teacher_ckpt: Optional[str] = None,
                 distill: Optional[Dict[str, dict]] = None,
                 save_teacher: bool = False,
                 data_preprocessor: Optional[Union[dict, nn.Module]] = None,
                 init_cfg: Optional[dict] = None,
                 extra_outputs: Sequence[Tuple[str, str]] = (),
                 teacher_precision: Optional[str] = None,
                 nonfinite_loss: str = 'raise'):
        super().__init__(student, teacher, teacher_ckpt=teacher_ckpt, save_teacher=save_teacher,
                         teacher_precision=teacher_precision, nonfinite_loss=nonfinite_loss,
                         data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.eval_teacher = False

        self.terms: Dict[str, DistillTerm] = {}
        self.distill_losses = nn.ModuleDict()
        self.connectors = nn.ModuleDict()
        for name, term_cfg in (distill or {}).items():
            self._add_term(name, term_cfg)
        self.active_terms = set(self.terms)
        for index, (student_name, teacher_name) in enumerate(extra_outputs):
            check_module_name(self.student, student_name, f'extra_outputs[{index}]', 'student')
            check_module_name(self.teacher, teacher_name, f'extra_outputs[{index}]', 'teacher')
        # Every distiller's recorders are ``recorders[<network name>]``.
        self.recorders = dict(
            student=OutputRecorder(self.student, [t.student for t in self.terms.values()]
                                   + [s for s, _ in extra_outputs], role='student'),
            teacher=OutputRecorder(self.teacher, [t.teacher for t in self.terms.values()]
                                   + [t for _, t in extra_outputs], stop_early=True, role='teacher'))
        if SingleTeacherDistiller.autoencoders(self):  # this class's own (subclasses add theirs later)
            # FT's paraphrasers are trained on the teacher's features before the student, as in the FT paper
            # (``mmiekd.IEKDAutoEncoderHook``: phase 1); the flag is saved in checkpoints.
            self.register_buffer('autoencoder_trained', torch.tensor(False))
            SingleTeacherDistiller.set_autoencoder_learning(self, False)
        self._check_shapes_at_build()
        end_of_build(self)

    # ------------------------------------------------------------------ construction
    def _add_term(self, name: str, cfg: dict) -> None:
        key = f'distill.{name}'
        check_config_keys(cfg, key, required=('student', 'teacher', 'loss'), optional=('connector', ))
        for role, model in (('student', self.student), ('teacher', self.teacher)):
            check_module_name(model, cfg[role], f'{key}.{role}', role)
        try:
            self.distill_losses[name] = MODELS.build(with_build_scopes(cfg['loss']))
        except (TypeError, ValueError, KeyError) as err:
            raise type(err)(f'`{key}.loss`: {err}') from err
        connector = cfg.get('connector')
        if isinstance(connector, (list, tuple)):
            self.connectors[name] = nn.ModuleList(MODELS.build(with_build_scopes(c)) for c in connector)
        elif connector is not None:
            self.connectors[name] = MODELS.build(with_build_scopes(connector))
        self.terms[name] = DistillTerm(name, cfg['student'], cfg['teacher'])

    def _check_shapes_at_build(self) -> None:
        """Runs both networks once on a dummy batch (no grad, stopping after the last recorded module) and
        checks every term's shapes, so that a mismatch is reported before the first iteration."""
        if not self.terms:
            return
        dummy = torch.zeros(1, 3, 64, 64)
        student_out = probe_outputs(self.student, [t.student for t in self.terms.values()], dummy)
        teacher_out = probe_outputs(self.teacher, [t.teacher for t in self.terms.values()], self.teacher_input(dummy))
        for term in self.terms.values():
            if term.student not in student_out or term.teacher not in teacher_out:
                continue  # the model could not run on a dummy batch: checked at the first step instead
            student_levels = as_levels(student_out[term.student])
            teacher_levels = as_levels(teacher_out[term.teacher])
            self._check_level_count(term, student_levels, teacher_levels)
            for level, (student_level, teacher_level) in enumerate(zip(student_levels, teacher_levels)):
                connector = self.connectors[term.name] if term.name in self.connectors else nn.Identity()
                with evaluating(connector):
                    connected = self._connect(term.name, level, student_level)
                self._check_pair(term, level, len(student_levels), connected, teacher_level)

    # ------------------------------------------------------------------ modes
    def set_term_active(self, name: str, active: bool) -> None:
        """Turns a distillation term on or off (schedules use this); inactive terms cost nothing."""
        if name not in self.terms:
            raise KeyError(f'unknown distillation term "{name}"; terms: {sorted(self.terms)}')
        (self.active_terms.add if active else self.active_terms.discard)(name)

    @property
    def needs_teacher(self) -> bool:
        """Whether any active term reads teacher outputs this step."""
        return bool(self.active_terms)

    # ------------------------------------------------------------------ forward
    def forward(self, inputs: torch.Tensor, data_samples: Optional[list] = None, mode: str = 'tensor'):
        """``mode='loss'``: student losses + distillation losses; other modes: the student's (or, with
        :attr:`eval_teacher`, the teacher's) own forward."""
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if self.eval_teacher:
            return self.teacher(self.teacher_input(inputs), data_samples, mode)
        return self.student(inputs, data_samples, mode)

    def run_teacher(self, inputs: torch.Tensor, data_samples: Optional[list]) -> None:
        """Runs the teacher until every output of ``recorders['teacher']`` is in (see
        :meth:`DistillerCore.run_teacher_into`)."""
        self.run_teacher_into(self.recorders['teacher'], inputs, data_samples)

    def loss(self, inputs: torch.Tensor, data_samples: Optional[list] = None) -> Dict[str, torch.Tensor]:
        """Student losses plus ``distill.loss_<term>`` for each active term.

        Args:
            inputs (Tensor): (N, C, H, W) batch, normalised by the student's preprocessor.
            data_samples (list): The batch's data samples.
        """
        needs_teacher = self.needs_teacher
        if needs_teacher:
            self.run_teacher(inputs, data_samples)
        recording = self.recorders['student'].recording() if needs_teacher else contextlib.nullcontext()
        with recording:
            losses = self.student(inputs, data_samples, mode='loss')
        losses = self.name_task_losses(losses)
        if needs_teacher:
            distill_losses = self.distill_losses_of_step()
            losses.update(distill_losses)
        self.recorders['student'].clear()
        self.recorders['teacher'].clear()
        if needs_teacher:
            skipped = self.guard_nonfinite(distill_losses)
            if skipped is not None:
                return skipped
        return losses

    # ------------------------------------------------------------------ phase 1: auto-encoders of teacher features
    def autoencoders(self) -> List[nn.Module]:
        """The modules trained by reconstruction before the student (phase 1): FT's paraphrasers here."""
        return [loss.paraphraser for loss in self.distill_losses.values() if hasattr(loss, 'paraphraser')]

    def autoencoder_parameters(self) -> List[nn.Parameter]:
        """Parameters trained in phase 1."""
        return [p for module in self.autoencoders() for p in module.parameters()]

    def set_autoencoder_learning(self, learning: bool) -> None:
        """Phase 1 on (trainable, BN in train mode) or off (frozen, BN in eval mode)."""
        for module in self.autoencoders():
            module.requires_grad_(learning)
            module.train(learning)
            if not learning:
                for param in module.parameters():
                    param.grad = None

    def autoencoder_loss(self, inputs: torch.Tensor, data_samples: Optional[list] = None) -> torch.Tensor:
        """Phase-1 loss of a batch: the reconstruction error of the teacher's features (summed).

        Args:
            inputs (Tensor): (N, C, H, W) batch, normalised by the student's preprocessor.
        """
        self.run_teacher(inputs, data_samples)
        loss = self.recorded_reconstruction_loss()
        self.recorders['teacher'].clear()
        return loss

    def recorded_reconstruction_loss(self) -> torch.Tensor:
        """Reconstruction loss of each FT term's paraphraser on the recorded teacher outputs (every level)."""
        total = 0.
        for name, term in self.terms.items():
            paraphraser = getattr(self.distill_losses[name], 'paraphraser', None)
            if paraphraser is not None:
                for level in as_levels(self.recorders['teacher'].get(term.teacher)):
                    total = total + paraphraser.reconstruction_loss(level)
        return total

    def finish_autoencoder_phase(self) -> None:
        """Marks phase 1 done (saved in checkpoints) and freezes the auto-encoders."""
        self.autoencoder_trained.fill_(True)
        self.set_autoencoder_learning(False)

    def check_autoencoders_trained(self) -> None:
        if self.autoencoders() and not bool(self.autoencoder_trained):
            raise RuntimeError(
                f'{type(self).__name__}: the auto-encoders of the teacher\'s features (FT paraphrasers, IE-KD '
                'factors) are not trained: add dict(type="mmiekd.IEKDAutoEncoderHook", ...) to `custom_hooks` '
                '(phase 1 in the same run) or load them from a checkpoint.')

    def distill_losses_of_step(self) -> Dict[str, torch.Tensor]:
        """The distillation losses of the recorded step; subclasses add their own."""
        self.check_autoencoders_trained()
        return {f'distill.loss_{name}': self.term_loss(self.terms[name])
                for name in self.terms if name in self.active_terms}

    def term_loss(self, term: DistillTerm) -> torch.Tensor:
        """The loss of one term, summed over levels; computed in fp32 outside autocast."""
        student_levels = as_levels(self.recorders['student'].get(term.student))
        teacher_levels = as_levels(self.recorders['teacher'].get(term.teacher))
        self._check_level_count(term, student_levels, teacher_levels)
        loss_module = self.distill_losses[term.name]
        total = 0.
        for level, (student_out, teacher_out) in enumerate(zip(student_levels, teacher_levels)):
            student_out = self._connect(term.name, level, student_out)
            self._check_pair(term, level, len(student_levels), student_out, teacher_out)
            with torch.autocast(device_type=student_out.device.type, enabled=False):
                total = total + loss_module(student_out.float(), teacher_out.float())
        return total

    @staticmethod
    def _check_level_count(term: DistillTerm, student_levels, teacher_levels) -> None:
        if len(student_levels) != len(teacher_levels):
            raise ValueError(f'`distill.{term.name}`: the student\'s "{term.student}" gives {len(student_levels)} '
                             f'output(s) but the teacher\'s "{term.teacher}" gives {len(teacher_levels)}')

    def _connect(self, name: str, level: int, feature: torch.Tensor) -> torch.Tensor:
        connector = self.connectors[name] if name in self.connectors else None
        if isinstance(connector, nn.ModuleList):
            connector = connector[level]
        return feature if connector is None else connector(feature)

    def _check_pair(self, term, level, num_levels, student_out, teacher_out) -> None:
        loss_module = self.distill_losses[term.name]
        if hasattr(loss_module, 'check_inputs'):
            why = loss_module.check_inputs(student_out, teacher_out)
        else:
            why = None if student_out.shape == teacher_out.shape else 'the shapes must be equal'
        if why is None:
            return
        where = f' (level {level})' if num_levels > 1 else ''
        hint = ''
        if student_out.dim() == 4 and teacher_out.dim() == 4 and student_out.shape[1] != teacher_out.shape[1]:
            hint = (f' Add `distill.{term.name}.connector=dict(type=\'mmiekd.ConvConnector\', '
                    f'in_channels={student_out.shape[1]}, out_channels={teacher_out.shape[1]})`.')
        raise ValueError(f'`distill.{term.name}`: the student\'s "{term.student}"{where} output has shape '
                         f'{tuple(student_out.shape)} (after the connector, if any) and the teacher\'s '
                         f'"{term.teacher}" output has shape {tuple(teacher_out.shape)}: {why}.{hint}')


_PRECISIONS = {None: None, 'fp32': None, 'bf16': torch.bfloat16, 'fp16': torch.float16}


def check_teacher_precision(value) -> Optional[torch.dtype]:
    """``teacher_precision`` (checked when the distiller is built) -> the teacher's autocast dtype, or None."""
    if value not in _PRECISIONS:
        raise ValueError(f'`teacher_precision` must be one of {list(_PRECISIONS)}, got {value!r}')
    return _PRECISIONS[value]


def teacher_autocast(dtype: Optional[torch.dtype], inputs: torch.Tensor) -> contextlib.AbstractContextManager:
    """The teacher's forward in ``dtype`` (autocast, with mmcv's fp32-only CPU ops handled), or a no-op for None
    (the step's own precision). Every distiller with a teacher runs it in this."""
    precision = contextlib.ExitStack()
    if dtype is not None:
        precision.enter_context(torch.autocast(device_type=inputs.device.type, dtype=dtype))
        precision.enter_context(mmcv_half_ops())
    return precision


def check_nonfinite_mode(value) -> str:
    """``nonfinite_loss`` must be ``'raise'`` or ``'skip'`` (checked when the distiller is built)."""
    if value not in ('raise', 'skip'):
        raise ValueError(f'`nonfinite_loss` must be "raise" or "skip", got {value!r}')
    return value


def on_nonfinite_loss(model: nn.Module, losses: Dict[str, torch.Tensor], mode: str = 'raise') -> Dict[str, torch.Tensor]:
    """What every distiller does with a NaN/inf distillation loss, before any weight is updated.

    Args:
        model (nn.Module): The distiller (its trainable parameters get a zero gradient when skipping).
        losses (dict): The step's distillation terms, at least one of them non-finite.
        mode (str): ``'raise'``: a ``FloatingPointError`` naming the terms and the iteration; ``'skip'``: a
            warning, and the returned losses make the step a no-op for the gradients.

    Returns:
        dict: ``{'loss_skipped_nonfinite': 0}`` (``'skip'``), through which every trainable parameter takes
        part with a zero gradient (DDP reduces them all).
    """
    bad = {k: float(v.detach().float().sum()) for k, v in losses.items() if not torch.isfinite(v.detach()).all()}
    iteration = MessageHub.get_current_instance().get_info('iter')
    where = f'at iteration {iteration + 1}' if iteration is not None else 'in this step'
    terms = ', '.join(f'`{k}` = {v}' for k, v in bad.items())
    if mode == 'raise':
        raise FloatingPointError(
            f'Non-finite distillation loss {where}: {terms}. Training stopped before the weights were '
            'updated. Check the teacher checkpoint, the loss weights and the learning rate, or set '
            '`model.nonfinite_loss="skip"` to skip such steps.')
    print_log(f'Non-finite distillation loss {where}: {terms}; the step is skipped '
              '(model.nonfinite_loss="skip")', logger='current', level=30)
    return {'loss_skipped_nonfinite': zero_loss(model)}


def zero_loss(module: nn.Module) -> torch.Tensor:
    """A zero scalar through which every trainable parameter of ``module`` takes part (zero gradients; DDP
    reduces them all): the loss of a skipped step."""
    return sum(p.sum() for p in module.parameters() if p.requires_grad) * 0.


def all_finite(losses: Dict[str, torch.Tensor]) -> bool:
    # One host sync for all terms: the sum of finite values is finite, and NaN/inf propagate.
    return bool(torch.isfinite(sum(v.detach().float().sum() for v in losses.values()))) if losses else True


def _drop_teacher_weights(module, state_dict, prefix, local_metadata) -> None:
    for key in [k for k in state_dict if k.startswith(prefix + 'teacher.')]:
        del state_dict[key]


def _accept_missing_teacher_weights(module, incompatible_keys) -> None:
    # Training checkpoints leave the teacher out (it comes from teacher_ckpt); that is not a mismatch.
    missing: List[str] = incompatible_keys.missing_keys
    missing[:] = [k for k in missing if not k.startswith('teacher.') and '.teacher.' not in k]
