"""See a recipe's whole schedule before training it: a dry run without data or compute.

Builds the pieces of the run that decide its schedule, exactly as ``tools/train.py`` would: the model (its
real modules, so that the optimizer constructor makes the real parameter groups; no weights are loaded and
nothing is computed), the optimizer wrapper, the param schedulers (``convert_to_iter_based`` and default
``end`` as MMEngine's runner does), mmiekd's schedule hooks (``SSKDStageHook``, ``IAKDSwapHook``,
``IEKDAutoEncoderHook``) and the train loop's length. Then it steps through the whole run as MMEngine's loops
and ``ParamSchedulerHook`` do (hooks before each epoch and iteration, iteration-based schedulers after each
iteration, epoch-based ones after each epoch, validation and checkpoints where the config puts them) and
records, at the start of every epoch and wherever a value changes: the LR of each parameter group, the
momentum, the SSKD stage and what is trainable, the IAKD swap probability, the IE-KD phase and loss-weight
factor. IE-KD's phase 1 (the teacher auto-encoder, before the first training iteration) is reported with its
length and LR.

    python tools/analysis_tools/preview_schedule.py configs/sskd/faster_rcnn_r50_r101.py \
        --iters-per-epoch 7330 --out sskd_timeline.png --json sskd_timeline.json

``--iters-per-epoch`` is needed when the dataset is not on this machine; otherwise it is computed from the
dataset's size, the batch size and ``--world-size`` (default: ``auto_scale_lr.base_batch_size`` over the
batch size, i.e. the number of GPUs the recipe was written for). ``--check-resume`` also resumes the
dry run from every checkpoint point (as ``--resume`` restores the model's schedule buffers, the optimizer and
the schedulers) and checks that the rest of the run is the same as without interruption.
"""
import argparse
import contextlib
import copy
import inspect
import json
import math
import os.path as osp
import sys
import warnings
from types import SimpleNamespace
from typing import Dict, List, Optional

import torch

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if osp.join(ROOT, 'tools') not in sys.path:
    sys.path.insert(0, osp.join(ROOT, 'tools'))

PRIORITIES = {'HIGHEST': 0, 'VERY_HIGH': 10, 'HIGH': 30, 'ABOVE_NORMAL': 40, 'NORMAL': 50, 'BELOW_NORMAL': 60,
              'LOW': 70, 'VERY_LOW': 90, 'LOWEST': 100}


def _round(value: float) -> float:
    return float(f'{value:.4g}')


def _type_name(cfg) -> str:
    name = cfg.get('type', '') if isinstance(cfg, dict) else type(cfg).__name__
    return name if isinstance(name, str) else getattr(name, '__name__', str(name))


# ----------------------------------------------------------------------------------------- the run's pieces
@contextlib.contextmanager
def _quiet():
    """MMEngine's current logger at ERROR level (building logs per parameter and per teacher)."""
    from mmengine.logging import MMLogger
    logger = MMLogger.get_current_instance()
    level = logger.level
    logger.setLevel('ERROR')
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            yield
    finally:
        logger.setLevel(level)


class _Sized:
    """Stands in for the train dataloader: only its length (iterations per epoch) is read."""

    def __init__(self, length: int):
        self.length = length

    def __len__(self) -> int:
        return self.length


class PreviewRunner(SimpleNamespace):
    """What schedule hooks read and write on MMEngine's runner, without data, devices or files."""

    def wrap_model(self, model_wrapper_cfg, model):
        return model

    def build_param_scheduler(self, scheduler_cfg):
        """As ``Runner.build_param_scheduler`` (SSKD's restarts build the schedulers again)."""
        return build_schedulers(scheduler_cfg, self.optim_wrapper, len(self.train_dataloader), self.max_epochs,
                                self.max_iters)


def iters_per_epoch_of(cfg, world_size: Optional[int] = None) -> int:
    """Iterations per epoch of the train dataloader of ``cfg`` (builds the dataset: it must be on disk)."""
    from mmengine.registry import DATASETS
    loader = cfg.train_dataloader
    dataset = DATASETS.build(copy.deepcopy(loader.dataset))
    batch = int(loader.batch_size)
    if world_size is None:
        base = (cfg.get('auto_scale_lr') or {}).get('base_batch_size')
        world_size = max(1, int(base) // batch) if base else 1
    return math.ceil(math.ceil(len(dataset) / world_size) / batch)


def build_schedulers(schedulers, optim_wrapper, iters_per_epoch: int, max_epochs: int, max_iters: int):
    """The param schedulers of the ``param_scheduler`` config ``schedulers``, as ``Runner.build_param_scheduler``
    builds them (a list, or a dict per optimizer)."""
    from mmengine.optim import OptimWrapperDict
    from mmengine.registry import PARAM_SCHEDULERS

    def build_list(cfgs, wrapper):
        cfgs = cfgs if isinstance(cfgs, (list, tuple)) else [cfgs]
        built = []
        for item in cfgs:
            item = copy.deepcopy(dict(item))
            item.setdefault('end', max_epochs if item.get('by_epoch', True) else max_iters)
            built.append(PARAM_SCHEDULERS.build(
                item, default_args=dict(optimizer=wrapper, epoch_length=iters_per_epoch)))
        return built

    if not schedulers:
        return [] if not isinstance(optim_wrapper, OptimWrapperDict) else {k: [] for k in optim_wrapper.keys()}
    if isinstance(optim_wrapper, OptimWrapperDict):
        keyed = isinstance(schedulers, dict) and 'type' not in schedulers
        return {key: build_list(schedulers[key] if keyed else schedulers, wrapper)
                for key, wrapper in optim_wrapper.items()}
    return build_list(schedulers, optim_wrapper)


def _optimizers(optim_wrapper) -> Dict[Optional[str], torch.optim.Optimizer]:
    from mmengine.optim import OptimWrapperDict
    if isinstance(optim_wrapper, OptimWrapperDict):
        return {key: wrapper.optimizer for key, wrapper in optim_wrapper.items()}
    return {None: optim_wrapper.optimizer}


def stand_in_optim_wrapper(optim_wrapper):
    """A copy of the recipe's optimizer wrapper over stand-in parameters: one per distinct parameter group.

    Groups are distinct when their hyper-parameters differ (LR, momentum, weight decay...: what a scheduler or
    hook could read); e.g. mmdet's ``paramwise_cfg`` makes one group per parameter, most of them alike. Returns
    the stand-in (an ``OptimWrapper`` or ``OptimWrapperDict``) and the LR groups: per stand-in group, its
    optimizer key, initial LR, how many real parameter groups it stands for, and its index.
    """
    from mmengine.optim import OptimWrapper, OptimWrapperDict
    lr_groups, wrappers = [], {}
    for key, optimizer in _optimizers(optim_wrapper).items():
        groups, kinds = [], []
        for group in optimizer.param_groups:
            settings = {k: v for k, v in group.items() if k != 'params'}
            kind = repr(sorted(settings.items()))
            if kind in kinds:
                lr_groups[len(lr_groups) - len(kinds) + kinds.index(kind)]['param_groups'] += 1
                continue
            kinds.append(kind)
            groups.append(dict(settings, params=[torch.nn.Parameter(torch.zeros(1))]))
            lr_groups.append(dict(optimizer=key, initial_lr=_round(group.get('initial_lr', group['lr'])),
                                  param_groups=1, index=len(groups) - 1))
        accepted = inspect.signature(type(optimizer).__init__).parameters
        stand_in = type(optimizer)(groups, **{k: v for k, v in optimizer.defaults.items() if k in accepted})
        wrappers[key] = OptimWrapper(stand_in)
    if isinstance(optim_wrapper, OptimWrapperDict):
        return OptimWrapperDict(**wrappers), lr_groups
    return wrappers[None], lr_groups


def _all_schedulers(schedulers) -> list:
    return [s for group in (schedulers.values() if isinstance(schedulers, dict) else [schedulers]) for s in group]


class Pieces:
    """Everything the dry run steps through, built from a config (see the module docstring)."""

    def __init__(self, cfg, iters_per_epoch: int, model=None):
        from mmengine.logging import MessageHub, MMLogger
        from mmengine.optim import build_optim_wrapper
        from mmengine.registry import HOOKS, MODELS, init_default_scope

        from mmiekd.models.distillers.single_teacher_distiller import teacher_weights_not_needed
        self.cfg = cfg
        self.iters_per_epoch = int(iters_per_epoch)
        if self.iters_per_epoch < 1:
            raise ValueError(f'--iters-per-epoch must be a positive integer, got {iters_per_epoch}')
        init_default_scope(cfg.get('default_scope', 'mmengine'))
        train_cfg = dict(cfg.train_cfg)
        self.by_epoch = train_cfg.get('type', 'EpochBasedTrainLoop') != 'IterBasedTrainLoop' and \
            train_cfg.get('by_epoch', True)
        if self.by_epoch:
            self.max_epochs = int(train_cfg['max_epochs'])
            self.max_iters = self.max_epochs * self.iters_per_epoch
        else:
            self.max_iters = int(train_cfg['max_iters'])
            self.max_epochs = 1  # as MMEngine's IterBasedTrainLoop
        self.val_interval = int(train_cfg.get('val_interval', 1))
        self.val_begin = int(train_cfg.get('val_begin', 1))
        self.dynamic_intervals = [tuple(x) for x in train_cfg.get('dynamic_intervals') or []]
        checkpoint = dict((cfg.get('default_hooks') or {}).get('checkpoint') or {})
        self.ckpt_by_epoch = checkpoint.get('by_epoch', True)
        self.ckpt_interval = int(checkpoint.get('interval', -1))

        if model is None:  # (a model of the same config may be handed over: building is most of the cost)
            with teacher_weights_not_needed(), _quiet():
                model = MODELS.build(copy.deepcopy(cfg.model))
        self.model = model
        self.model.train()
        # The recipe's optimizer wrapper on the real model gives the real parameter groups; the dry run steps a
        # stand-in with one parameter per distinct group (same hyper-parameters), which every scheduler and
        # hook treats as it treats the groups it stands for.
        with _quiet():  # mmengine's constructor logs every parameter that a paramwise_cfg skips
            real = build_optim_wrapper(self.model, copy.deepcopy(cfg.optim_wrapper))
        self.optim_wrapper, self.lr_groups = stand_in_optim_wrapper(real)
        self.schedulers = build_schedulers(cfg.get('param_scheduler'), self.optim_wrapper, self.iters_per_epoch,
                                           self.max_epochs, self.max_iters)
        self.hooks = []
        self.phase1 = None  # IE-KD / FT phase 1: (iterations, lr)
        self.pipeline_switch = None
        from mmiekd.engine.hooks import IAKDSwapHook, IEKDAutoEncoderHook, SSKDStageHook
        schedule_hooks = (SSKDStageHook, IAKDSwapHook, IEKDAutoEncoderHook)  # what decides the schedule
        for hook_cfg in cfg.get('custom_hooks') or []:
            name = _type_name(hook_cfg).split('.')[-1]
            if name == 'PipelineSwitchHook':
                self.pipeline_switch = int(hook_cfg['switch_epoch'])
            hook = HOOKS.build(copy.deepcopy(hook_cfg))  # hooks only keep their arguments when built
            if not isinstance(hook, schedule_hooks):
                continue
            priority = hook_cfg.get('priority', getattr(hook, 'priority', 'NORMAL'))
            self.hooks.append((PRIORITIES.get(priority, priority) if isinstance(priority, str) else priority,
                               len(self.hooks), hook))
            if isinstance(hook, IEKDAutoEncoderHook) and self._needs_phase1():
                iters = hook.iters or hook.epochs * self.iters_per_epoch
                self.phase1 = (iters, float(hook.optimizer_cfg.get('lr', float('nan'))))
        self.hooks = [hook for _, _, hook in sorted(self.hooks, key=lambda t: t[:2])]
        self.runner = PreviewRunner(
            model=self.model, optim_wrapper=self.optim_wrapper, param_schedulers=self.schedulers, cfg=cfg,
            max_epochs=self.max_epochs, max_iters=self.max_iters, iter=0, epoch=0, rank=0, world_size=1,
            train_dataloader=_Sized(self.iters_per_epoch), work_dir=None,
            logger=MMLogger.get_instance('preview_schedule', log_level='ERROR'),
            message_hub=MessageHub.get_instance(f'preview_schedule_{id(self)}'))
        self.runner.logger.setLevel('ERROR')

    def _needs_phase1(self) -> bool:
        model = self.model
        if not hasattr(model, 'autoencoder_trained') or bool(model.autoencoder_trained):
            return False
        return not (self.cfg.model.get('ie') or {}).get('autoencoder_ckpt')

    # ------------------------------------------------------------------ values of one iteration
    def values(self) -> dict:
        optimizers = _optimizers(self.optim_wrapper)
        lr, momentum = [], []
        for group in self.lr_groups:
            param_group = optimizers[group['optimizer']].param_groups[group['index']]  # its stand-in group
            lr.append(_round(param_group['lr']))
            if 'momentum' in param_group:
                momentum.append(_round(param_group['momentum']))
            elif 'betas' in param_group:
                momentum.append(_round(param_group['betas'][0]))
        values = dict(lr=lr)
        if momentum:
            values['momentum'] = momentum
        model = self.model
        if hasattr(model, 'stage_at'):
            values['stage'] = int(model.stage) + 1 if int(model.stage) < model.num_stages else 'head'
        if hasattr(model, 'set_swap_prob'):
            values['swap_prob'] = _round(float(model.swap_prob))
        if hasattr(model, 'ie_weight_factor'):
            values['ie_phase'] = 2
            values['ie_weight'] = _round(float(model.ie_weight_factor))
        return values

    def trainable(self) -> List[str]:
        """Names of the student's trainable parts (for SSKD stages), shortened to their stage modules."""
        model = self.model
        names = set()
        for name, param in model.named_parameters():
            if param.requires_grad and not name.startswith('teacher.'):
                parts = name.split('.')
                depth = 3 if len(parts) > 3 and parts[0] == 'student' and parts[1] == 'backbone' else 2
                names.add('.'.join(parts[:depth]))
        return sorted(names)

    # ------------------------------------------------------------------ state for --resume
    def snapshot(self) -> dict:
        buffers = {name: buf.clone() for name, buf in self.model.named_buffers()
                   if name.split('.')[-1] in ('stage', 'swap_prob', 'swap_step', 'autoencoder_trained')}
        return dict(iter=self.runner.iter, epoch=self.runner.epoch, buffers=buffers,
                    ie_weight=getattr(self.model, 'ie_weight_factor', None),
                    optimizers={k: copy.deepcopy(o.state_dict()) for k, o in _optimizers(self.optim_wrapper).items()},
                    schedulers=[copy.deepcopy(s.state_dict()) for s in _all_schedulers(self.schedulers)])

    def restore(self, state: dict) -> None:
        """As MMEngine's ``Runner.resume``: model state (here its schedule buffers), optimizer, schedulers."""
        for name, value in state['buffers'].items():
            self.model.get_buffer(name).copy_(value)
        if 'stage' in {n.split('.')[-1] for n in state['buffers']} and hasattr(self.model, 'set_stage'):
            self.model.set_stage(int(self.model.stage))
        for key, optimizer in _optimizers(self.optim_wrapper).items():
            optimizer.load_state_dict(state['optimizers'][key])
        for scheduler, scheduler_state in zip(_all_schedulers(self.schedulers), state['schedulers']):
            scheduler.load_state_dict(scheduler_state)
        self.runner.iter, self.runner.epoch = state['iter'], state['epoch']


# ----------------------------------------------------------------------------------------- the dry run
def _val_interval_at(pieces: Pieces, progress: int) -> int:
    interval = pieces.val_interval
    for milestone, value in pieces.dynamic_intervals:
        if progress >= milestone:
            interval = value
    return interval


def simulate(pieces: Pieces, resume: Optional[dict] = None, keep_states: bool = False) -> dict:
    """Steps through the run (from ``resume``, a :meth:`Pieces.snapshot`, if given).

    Returns ``timeline`` (entries at every epoch start and every change), ``validations`` and
    ``checkpoints`` (iterations done when they happen), ``snapshots`` (the state at each checkpoint) and,
    with ``keep_states``, the values of every iteration.
    """
    with warnings.catch_warnings():
        # Schedulers warn that no optimizer step came first: the dry run never steps the optimizer.
        warnings.simplefilter('ignore')
        return _simulate(pieces, resume, keep_states)


def _simulate(pieces: Pieces, resume: Optional[dict], keep_states: bool) -> dict:
    from mmiekd.engine.hooks import IEKDAutoEncoderHook
    runner, model, ipe = pieces.runner, pieces.model, pieces.iters_per_epoch
    timeline, states, validations, checkpoints, snapshots = [], [], [], [], []
    if resume is not None:
        pieces.restore(resume)
    elif pieces.phase1 is not None:
        iters, lr = pieces.phase1
        timeline.append(dict(iter=0, epoch=0, ie_phase=1, ie_phase1_iters=iters, lr=[_round(lr)]))
        model.autoencoder_trained.fill_(True)  # what phase 1 leaves behind (and its checkpoint holds)
    for hook in pieces.hooks:
        if not isinstance(hook, IEKDAutoEncoderHook):  # its before_train is phase 1, reported above
            hook.before_train(runner)
    last = None
    previous_stage = None

    def record(epoch_for_log: int):
        nonlocal last, previous_stage
        values = pieces.values()
        if keep_states:
            states.append(values)
        if last is None or values != last or runner.iter % ipe == 0:
            entry = dict(iter=runner.iter, epoch=epoch_for_log, **values)
            if 'stage' in values and values['stage'] != previous_stage:
                entry['trainable'] = pieces.trainable()
                previous_stage = values['stage']
            if pieces.pipeline_switch is not None and runner.iter == pieces.pipeline_switch * ipe:
                entry['pipeline_switch'] = True
            timeline.append(entry)
        last = values

    def after_iter(epoch_for_log: int):
        # The runner's current schedulers (SSKD's restarts replace them in place), as ParamSchedulerHook.
        for scheduler in _all_schedulers(pieces.schedulers):
            if not scheduler.by_epoch:
                scheduler.step()
        done = runner.iter + 1
        if not pieces.by_epoch:
            if done % _val_interval_at(pieces, done) == 0 or done == pieces.max_iters:
                if done >= pieces.val_begin:
                    validations.append(dict(iter=done, epoch=epoch_for_log))
        if not pieces.ckpt_by_epoch and pieces.ckpt_interval > 0 and \
                (done % pieces.ckpt_interval == 0 or done == pieces.max_iters):
            runner.iter = done  # MMEngine saves iter + 1 after an iteration
            checkpoints.append(dict(iter=done, epoch=runner.epoch))
            snapshots.append(pieces.snapshot())
            runner.iter = done - 1

    if pieces.by_epoch:
        while runner.epoch < pieces.max_epochs:
            for hook in pieces.hooks:
                hook.before_train_epoch(runner)
            for batch_idx in range(ipe):
                for hook in pieces.hooks:
                    hook.before_train_iter(runner, batch_idx)
                record(runner.epoch)
                after_iter(runner.epoch)
                runner.iter += 1
            for scheduler in _all_schedulers(pieces.schedulers):
                if scheduler.by_epoch:
                    scheduler.step()
            runner.epoch += 1
            if runner.epoch >= pieces.val_begin and (runner.epoch % _val_interval_at(pieces, runner.epoch) == 0
                                                     or runner.epoch == pieces.max_epochs):
                validations.append(dict(iter=runner.iter, epoch=runner.epoch))
            if pieces.ckpt_by_epoch and pieces.ckpt_interval > 0 and \
                    (runner.epoch % pieces.ckpt_interval == 0 or runner.epoch == pieces.max_epochs):
                checkpoints.append(dict(iter=runner.iter, epoch=runner.epoch))
                snapshots.append(pieces.snapshot())
    else:
        for hook in pieces.hooks:
            hook.before_train_epoch(runner)
        while runner.iter < pieces.max_iters:
            for hook in pieces.hooks:
                hook.before_train_iter(runner, runner.iter)
            record(runner.iter // ipe)
            after_iter(runner.iter // ipe)
            runner.iter += 1
    result = dict(timeline=timeline, validations=validations, checkpoints=checkpoints, snapshots=snapshots)
    if keep_states:
        result['states'] = states
    return result


def check_resume(cfg, iters_per_epoch: int, full: Optional[dict] = None, points: Optional[List[int]] = None) -> \
        List[str]:
    """Resumes a fresh dry run from checkpoint points (all, or the indices ``points``); returns the mismatches
    between the rest of each resumed run and the uninterrupted one (empty when none)."""
    full = full or simulate(Pieces(cfg, iters_per_epoch), keep_states=True)
    problems = []
    indices = range(len(full['snapshots'])) if points is None else points
    model = Pieces(cfg, iters_per_epoch).model  # built once: each resumed run starts from its fresh state
    fresh = copy.deepcopy(model.state_dict())
    for index in indices:
        snapshot = full['snapshots'][index]
        if snapshot['iter'] >= len(full['states']):
            continue
        model.load_state_dict(fresh)
        if hasattr(model, 'set_stage'):
            model.set_stage(int(model.stage))
        resumed = simulate(Pieces(cfg, iters_per_epoch, model=model), resume=snapshot, keep_states=True)
        expected = full['states'][snapshot['iter']:]
        if resumed['states'] != expected:
            at = next((i for i, (a, b) in enumerate(zip(resumed['states'], expected)) if a != b),
                      min(len(resumed['states']), len(expected)))
            problems.append(f'resumed from the checkpoint at iteration {snapshot["iter"]}: iteration '
                            f'{snapshot["iter"] + at} has {resumed["states"][at] if at < len(resumed["states"]) else "nothing"}'
                            f', uninterrupted {expected[at] if at < len(expected) else "nothing"}')
    return problems


def preview(cfg, iters_per_epoch: int, keep_states: bool = False, pieces: Optional[Pieces] = None) -> dict:
    """The JSON document of the dry run (see the module docstring); ``pieces`` if already built."""
    pieces = pieces or Pieces(cfg, iters_per_epoch)
    run = simulate(pieces, keep_states=keep_states)
    doc = dict(iters_per_epoch=pieces.iters_per_epoch, max_iters=pieces.max_iters,
               max_epochs=pieces.max_epochs if pieces.by_epoch else None, by_epoch=pieces.by_epoch,
               lr_groups=[{k: v for k, v in g.items() if k != 'index'} for g in pieces.lr_groups],
               timeline=run['timeline'], validations=run['validations'], checkpoints=run['checkpoints'])
    if pieces.phase1 is not None:
        doc['ie_phase1_iters'] = pieces.phase1[0]
    if keep_states:
        doc['_run'] = run
    return doc


# ----------------------------------------------------------------------------------------- output
def _changing(a: dict, b: dict, keys=('lr', 'momentum', 'swap_prob')) -> bool:
    return any(a.get(k) != b.get(k) for k in keys)


def compact_rows(doc: dict) -> List[dict]:
    """The rows worth printing: epoch starts, stage/phase/weight changes, and where a smooth change (warm-up,
    decay, p schedule) starts or ends."""
    rows, timeline = [], doc['timeline']
    ipe = doc['iters_per_epoch']
    for i, entry in enumerate(timeline):
        prev = timeline[i - 1] if i else None
        nxt = timeline[i + 1] if i + 1 < len(timeline) else None
        consecutive_prev = prev is not None and prev['iter'] == entry['iter'] - 1
        consecutive_next = nxt is not None and nxt['iter'] == entry['iter'] + 1
        discrete = prev is None or any(entry.get(k) != prev.get(k) for k in ('stage', 'ie_phase', 'ie_weight'))
        ramp_edge = prev is not None and _changing(entry, prev) and not (consecutive_prev and consecutive_next)
        if discrete or ramp_edge or entry['iter'] % ipe == 0 or i == len(timeline) - 1:
            rows.append(entry)
    return rows


def format_table(doc: dict) -> str:
    vals = {v['iter'] for v in doc['validations']}
    ckpts = {c['iter'] for c in doc['checkpoints']}
    groups = ', '.join(f'{g["optimizer"] + ":" if g["optimizer"] else ""}{g["initial_lr"]:g} x{g["param_groups"]}'
                       for g in doc['lr_groups'])
    lines = [f'{doc["max_iters"]} iterations, {doc["iters_per_epoch"]} per epoch'
             + (f', {doc["max_epochs"]} epochs' if doc['by_epoch'] else ' (iteration-based loop)')
             + f'; LR groups (initial LR x parameter groups): {groups}']
    if 'ie_phase1_iters' in doc:
        lines.append(f'IE-KD phase 1: {doc["ie_phase1_iters"]} iterations of the teacher auto-encoder before '
                     'iteration 0 (not counted in the training loop)')
    header = f'{"iter":>8} {"epoch":>6}  {"lr":<24} {"mom":<8} {"stage":<6} {"p":<7} {"ie":<10} events'
    lines.append(header)
    for row in compact_rows(doc):
        done = row['iter']  # events that happen once `iter` iterations are done
        events = []
        if done in vals and done:
            events.append('val')
        if done in ckpts and done:
            events.append('ckpt')
        if row.get('trainable'):
            events.append('trains ' + ', '.join(row['trainable']))
        if row.get('pipeline_switch'):
            events.append('pipeline switch')
        if row.get('ie_phase') == 1:
            events.append(f'phase 1: {row["ie_phase1_iters"]} iterations')
        lr = '/'.join(f'{v:.4g}' for v in row['lr'])
        mom = '/'.join(f'{v:.3g}' for v in row.get('momentum', [])) or '-'
        ie = f'p{row["ie_phase"]} w{row["ie_weight"]:g}' if 'ie_weight' in row else (
            'phase 1' if row.get('ie_phase') == 1 else '-')
        lines.append(f'{row["iter"]:>8} {row["epoch"]:>6}  {lr:<24} {mom:<8} {str(row.get("stage", "-")):<6} '
                     f'{str(row.get("swap_prob", "-")):<7} {ie:<10} {"; ".join(events)}')
    lines.append(f'validation after iterations: {_spans([v["iter"] for v in doc["validations"]])}')
    lines.append(f'checkpoints after iterations: {_spans([c["iter"] for c in doc["checkpoints"]])}')
    return '\n'.join(lines)


def _spans(values: List[int]) -> str:
    if len(values) <= 8:
        return ', '.join(map(str, values)) or 'none'
    return f'{", ".join(map(str, values[:3]))}, ... ({len(values)} in all), {values[-1]}'


def plot(doc: dict, path: str, title: str) -> None:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    timeline = [e for e in doc['timeline'] if e.get('ie_phase') != 1]
    end = doc['max_iters']
    rows = [('lr', 'LR (log)')]
    if any('momentum' in e for e in timeline):
        rows.append(('momentum', 'momentum'))
    for key, label in (('stage', 'SSKD stage'), ('swap_prob', 'IAKD p'), ('ie_weight', 'IE weight factor')):
        if any(key in e for e in timeline):
            rows.append((key, label))
    fig, axes = plt.subplots(len(rows), 1, figsize=(9, 1.9 * len(rows) + 0.6), sharex=True, squeeze=False)
    xs = [e['iter'] for e in timeline] + [end]
    phase1 = doc.get('ie_phase1_iters')
    for ax, (key, label) in zip(axes[:, 0], rows):
        if key in ('lr', 'momentum'):
            for g, group in enumerate(doc['lr_groups']):
                ys = [e[key][g] for e in timeline if key in e]
                ys.append(ys[-1])
                name = f'{group["optimizer"] + ": " if group["optimizer"] else ""}initial {group["initial_lr"]:g}'
                ax.step(xs, ys, where='post', label=name)
            if key == 'lr':
                ax.set_yscale('log')
                if len(doc['lr_groups']) > 1:
                    ax.legend(fontsize=7)
        elif key == 'stage':
            order = {}
            ys = [order.setdefault(e[key], len(order)) for e in timeline]
            ax.step(xs, ys + ys[-1:], where='post')
            ax.set_yticks(range(len(order)), [str(k) for k in order])
        else:
            ys = [e[key] for e in timeline]
            ax.step(xs, ys + ys[-1:], where='post')
        for v in doc['validations']:
            ax.axvline(v['iter'], color='0.85', lw=0.6, zorder=0)
        if phase1:
            ax.axvspan(-phase1, 0, color='tab:orange', alpha=0.15)
        ax.set_ylabel(label, fontsize=8)
    axes[0, 0].set_title(title + (f'  (shaded: IE-KD phase 1, {phase1} it)' if phase1 else '')
                         + '  (grey: validation)', fontsize=9)
    axes[-1, 0].set_xlabel('training iteration')
    axes[-1, 0].set_xlim(-phase1 if phase1 else 0, end)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


# ----------------------------------------------------------------------------------------- command line
def parse_args(argv=None):
    from mmengine.config import DictAction
    parser = argparse.ArgumentParser(description='Dry-run a recipe\'s whole schedule (no data, no compute)')
    parser.add_argument('config', help='the recipe (a path, or mmiekd::...)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, help='override config settings')
    parser.add_argument('--iters-per-epoch', type=int,
                        help='iterations per epoch (default: from the dataset, which must then be on disk)')
    parser.add_argument('--world-size', type=int,
                        help='GPUs x nodes, for --iters-per-epoch from the dataset (default: '
                             'auto_scale_lr.base_batch_size / batch size)')
    parser.add_argument('--out', help='draw the timeline into this image (.png)')
    parser.add_argument('--json', help='write the timeline as JSON here')
    parser.add_argument('--check-resume', action='store_true',
                        help='also resume the dry run from every checkpoint point and compare')
    return parser.parse_args(argv)


def load(config: str, cfg_options=None):
    from launch_utils import load_config
    return load_config(argparse.Namespace(config=config, cfg_options=cfg_options, launcher='none',
                                          work_dir=osp.join(ROOT, 'work_dirs', 'preview_schedule')))


def main(argv=None) -> int:
    args = parse_args(argv)
    cfg = load(args.config, args.cfg_options)
    if args.iters_per_epoch is not None:
        ipe = args.iters_per_epoch
    else:
        try:
            ipe = iters_per_epoch_of(cfg, args.world_size)
        except (FileNotFoundError, OSError) as error:
            raise SystemExit(f'The training dataset could not be read ({error}); pass --iters-per-epoch N '
                             '(e.g. 7330 for COCO train2017 at 16 images per step, 391 for CIFAR at 128)')
    doc = preview(cfg, ipe, keep_states=args.check_resume)
    print(format_table(doc))
    status = 0
    if args.check_resume:
        run = doc.pop('_run')
        problems = check_resume(cfg, ipe, full=run)
        print(f'resume check: {len(run["snapshots"])} checkpoint points, '
              + ('the rest of the run is the same from each' if not problems else f'{len(problems)} differ'))
        for problem in problems:
            print('  ' + problem)
        status = 1 if problems else 0
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(doc, f, indent=1)
    if args.out:
        plot(doc, args.out, osp.basename(args.config))
    return status


if __name__ == '__main__':
    sys.exit(main())
