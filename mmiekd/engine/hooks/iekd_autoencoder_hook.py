"""IE-KD phase 1 inside the training run, and the schedule of the IE loss weights."""
import copy
import glob
import os
import os.path as osp
from typing import Optional, Sequence

import torch.distributed as dist
from mmengine.hooks import Hook
from mmengine.registry import OPTIM_WRAPPERS, OPTIMIZERS

from mmiekd.models.losses.base_distill_loss import check_loss_weight
from mmiekd.registry import HOOKS, LOOPS
from mmiekd.utils.atomic_io import atomic_write
from mmiekd.utils.random_state import random_state_kept
from .distiller_of import distiller_of


@HOOKS.register_module()
class IEKDAutoEncoderHook(Hook):
    """Trains the teacher's auto-encoder before the student's training starts (IE-KD phase 1; also the
    paraphraser phase of FT terms of an ``mmiekd.SingleTeacherDistiller``, as the FT paper trains it first).

    Runs ``mmiekd.IEKDPhase1Loop`` on the training data with the teacher frozen and its own optimizer, in an
    optimizer wrapper of the run's kind (``--amp``, gradient clipping and ``--auto-scale-lr`` apply: see
    :meth:`build_optim_wrapper`), and logs the reconstruction loss.
    When it is done the distiller's ``autoencoder_trained`` flag (a buffer, so part of every checkpoint) is
    set and a checkpoint ``iekd_autoencoder.pth`` is written and made the latest: ``--resume`` after that
    never repeats phase 1. With ``checkpoint_interval``, phase 1 also saves ``iekd_autoencoder_step_N.pth``
    (the auto-encoder, its optimizer state and the phase-1 step; only the newest is kept), and ``--resume``
    from one continues phase 1 at step N + 1 on the same batches as an uninterrupted run; without it a run
    interrupted inside phase 1 restarts phase 1. With ``ie.autoencoder_ckpt`` set, or on resume from a
    phase-2 checkpoint, nothing is done.

    Args:
        iters (int, optional): Phase-1 iterations.
        epochs (int, optional): Phase-1 epochs over the training data (the authors: 30); used when
            ``iters`` is not given.
        optimizer (dict): Optimizer config for the auto-encoder (the authors: SGD, lr 0.1, momentum 0.9,
            Nesterov, weight decay 5e-4).
        log_interval (int): Log the reconstruction loss every this many iterations.
        weight_milestones (Sequence[int], optional): Epochs (or iterations, with ``by_epoch=False``) at
            which the IE loss weights are multiplied by ``weight_gamma`` (the authors' optional decay).
        weight_gamma (float): The decay factor.
        by_epoch (bool): Whether ``weight_milestones`` count epochs.
        checkpoint_interval (int, optional): Save a resumable phase-1 checkpoint every this many steps.
    """

    priority = 'NORMAL'

    def __init__(self, iters: Optional[int] = None, epochs: Optional[int] = None,
                 optimizer: dict = dict(type='SGD', lr=0.1, momentum=0.9, nesterov=True, weight_decay=5e-4),
                 log_interval: int = 50, weight_milestones: Optional[Sequence[int]] = None,
                 weight_gamma: float = 0.1, by_epoch: bool = True, checkpoint_interval: Optional[int] = None):
        if iters is None and epochs is None:
            raise ValueError('IEKDAutoEncoderHook needs `iters` or `epochs` (phase-1 length)')
        for key, value in (('iters', iters), ('epochs', epochs), ('checkpoint_interval', checkpoint_interval)):
            if value is not None and (not isinstance(value, int) or value < 1):
                raise ValueError(f'IEKDAutoEncoderHook `{key}` must be a positive int, got {value!r}')
        self.iters = iters
        self.epochs = epochs
        self.optimizer_cfg = optimizer
        self.log_interval = log_interval
        self.weight_milestones = sorted(weight_milestones or [])
        self.weight_gamma = check_loss_weight(weight_gamma, 'weight_gamma', 'mmiekd.IEKDAutoEncoderHook')
        self.by_epoch = by_epoch
        self.checkpoint_interval = checkpoint_interval
        self._phase1 = None  # while phase 1 runs: its step and optimizer, saved with each checkpoint
        self._resumed_phase1 = None  # the phase-1 state of the checkpoint resumed from, if any

    @staticmethod
    def _distiller(runner):
        return distiller_of(runner, 'autoencoder_trained', 'IEKDAutoEncoderHook',
                            'an mmiekd.IEKDDistiller or a distiller with FT terms')

    def before_train(self, runner) -> None:
        model = self._distiller(runner)
        if bool(model.autoencoder_trained):
            runner.logger.info('IE-KD phase 1: the teacher auto-encoder is already trained (checkpoint); skipped')
            return
        # Phase 1 leaves the run's random generators as it found them (the student then draws what it would
        # draw alone with the same seed).
        with random_state_kept():
            self._phase1_loop(runner, model)
        self._phase1 = None
        self._average_buffers(model.autoencoders())
        model.finish_autoencoder_phase()
        self._save_and_point(runner, 'iekd_autoencoder.pth')
        runner.logger.info('IE-KD phase 1 done; saved iekd_autoencoder.pth')

    def _phase1_loop(self, runner, model) -> None:
        loader = runner.build_dataloader(copy.deepcopy(runner.cfg.train_dataloader), seed=runner.seed)
        total = self.iters or self.epochs * len(loader)
        wrapper = self.build_optim_wrapper(runner, model)
        runner.logger.info(f'IE-KD phase 1: training the teacher auto-encoder for {total} iterations '
                           f'({type(wrapper).__name__}, lr {wrapper.optimizer.param_groups[0]["lr"]:g})')
        model.set_autoencoder_learning(True)
        start = 1
        if self._resumed_phase1 is not None:
            start = self._resumed_phase1['step'] + 1
            wrapper.load_state_dict(self._resumed_phase1['optimizer'])
            runner.logger.info(f'IE-KD phase 1: resumed at step {start}')

        def after_step(step: int) -> None:
            if self.checkpoint_interval and step % self.checkpoint_interval == 0 and step < total:
                self._phase1 = dict(step=step, optimizer=wrapper.state_dict())
                self._save_and_point(runner, f'iekd_autoencoder_step_{step}.pth')

        LOOPS.build(dict(type='mmiekd.IEKDPhase1Loop', runner=runner, dataloader=loader, model=model, iters=total,
                         optim_wrapper=wrapper, start_step=start, log_interval=self.log_interval,
                         after_step=after_step)).run()

    def build_optim_wrapper(self, runner, model):
        """The phase-1 optimizer (``optimizer``) in an optimizer wrapper of the run's own kind.

        The wrapper's type and its ``clip_grad``, ``dtype`` and ``loss_scale`` come from the run's
        ``optim_wrapper`` (so ``--amp`` and gradient clipping apply to phase 1 too; a per-branch constructor
        config gives a plain ``OptimWrapper``), and the LR is scaled as MMEngine's ``--auto-scale-lr`` scales
        the run's (``auto_scale_lr.enable``: world size x batch size / ``base_batch_size``).
        """
        run_cfg = dict(runner.cfg.get('optim_wrapper') or {})
        wrapper_cfg = dict(type='OptimWrapper')
        if 'constructor' not in run_cfg:
            wrapper_cfg.update({k: run_cfg[k] for k in ('type', '_scope_', 'clip_grad', 'dtype', 'loss_scale')
                                if k in run_cfg})
        optim_cfg = dict(self.optimizer_cfg, params=model.autoencoder_parameters())
        auto_scale = getattr(runner, 'auto_scale_lr', None) or runner.cfg.get('auto_scale_lr')
        if auto_scale and auto_scale.get('enable', False):
            real = runner.world_size * runner.cfg.train_dataloader['batch_size']
            optim_cfg['lr'] = optim_cfg['lr'] * real / auto_scale['base_batch_size']
        wrapper_cfg['optimizer'] = OPTIMIZERS.build(optim_cfg)
        return OPTIM_WRAPPERS.build(wrapper_cfg)

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        if self._phase1 is not None:
            checkpoint['iekd_phase1'] = self._phase1

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        self._resumed_phase1 = checkpoint.get('iekd_phase1')

    @staticmethod
    def _average_buffers(modules) -> None:
        # Gradients were averaged, but each rank's BN layers saw its own batches: average their running
        # statistics so that every rank freezes the same auto-encoder for phase 2.
        if dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1:
            for module in modules:
                for buffer in module.buffers():
                    if buffer.is_floating_point():
                        dist.all_reduce(buffer)
                        buffer /= dist.get_world_size()

    @staticmethod
    def _save_and_point(runner, filename: str) -> None:
        """Saves a phase-1 checkpoint, makes it the one ``--resume`` finds, and removes older phase-1 steps."""
        # Phase 2 has not started: record where it starts (MMEngine's defaults assume an epoch or an
        # iteration has just finished, and a resume would skip it).
        runner.save_checkpoint(runner.work_dir, filename, meta=dict(epoch=runner.epoch, iter=runner.iter),
                               save_optimizer=True, save_param_scheduler=True)
        path = osp.join(runner.work_dir, filename)
        if runner.rank == 0:
            atomic_write(osp.join(runner.work_dir, 'last_checkpoint'), path)
            for old in glob.glob(osp.join(runner.work_dir, 'iekd_autoencoder_step_*.pth')):
                if old != path:
                    os.remove(old)

    def _apply_weight_schedule(self, runner, progress: int) -> None:
        if not self.weight_milestones:
            return
        passed = sum(progress >= m for m in self.weight_milestones)
        self._distiller(runner).ie_weight_factor = self.weight_gamma**passed

    def before_train_epoch(self, runner) -> None:
        if self.by_epoch:
            self._apply_weight_schedule(runner, runner.epoch)

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        if not self.by_epoch:
            self._apply_weight_schedule(runner, runner.iter)
