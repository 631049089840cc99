"""Moves an SSKD model through its stages (and the head phase) as training progresses."""
import copy

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmiekd.engine.runner.stage_distributed import StageDistributedDataParallel
from mmiekd.registry import HOOKS
from .distiller_of import distiller_of


@HOOKS.register_module()
class SSKDStageHook(Hook):
    """Sets the SSKD stage from the training progress, using the stage lengths of the model's config.

    At each boundary the model freezes what was transferred (parameters and BN statistics) and makes the
    next stage trainable; the new stage is logged. The stage follows from the iteration/epoch, so it is right
    after ``--resume`` too (it is also a buffer of the model, saved in checkpoints). The hook changes the model
    only through its ``set_stage`` and the optimizers' LR; under DDP the model must be wrapped by
    :class:`mmiekd.StageDistributedDataParallel` (``model_wrapper_cfg``, as the SSKD recipes set it), which
    reduces the parameters of the stage that trains now (checked before training).

    Args:
        by_epoch (bool): Whether stage lengths count epochs (else iterations).
        restart_lr (bool): Restart the LR schedule at each stage boundary: each stage (and the head phase)
            runs ``param_scheduler`` from its start, as a training of its own (warm-up again; windows and
            milestones counted from the boundary, each scheduler in its own unit, iterations or epochs).
        stage_lr_scale (float): The backbone stages run at the schedule's LR times this factor; the head
            phase runs the schedule as it is. Applied at each boundary to the optimizer's LR, which chainable
            schedulers (LinearLR, MultiStepLR, StepLR, ExponentialLR) keep scaled through the stage.
    """

    # Before RuntimeInfoHook (VERY_HIGH) records the iteration's LR for the log, so that a restarted LR is
    # the one logged; and before the optimizer step of the iteration that starts a stage.
    priority = 'HIGHEST'

    def __init__(self, by_epoch: bool = True, restart_lr: bool = False, stage_lr_scale: float = 1.0):
        if isinstance(stage_lr_scale, bool) or not isinstance(stage_lr_scale, (int, float)) or stage_lr_scale <= 0:
            raise ValueError(f'SSKDStageHook `stage_lr_scale` must be a positive number, got {stage_lr_scale!r}')
        self.by_epoch = by_epoch
        self.restart_lr = restart_lr
        self.stage_lr_scale = float(stage_lr_scale)

    @staticmethod
    def _model(runner):
        return distiller_of(runner, 'stage_at', 'SSKDStageHook', 'an mmiekd.SSKDDistiller')

    def before_train(self, runner) -> None:
        model = self._model(runner)
        if is_model_wrapper(runner.model) and not isinstance(runner.model, StageDistributedDataParallel):
            raise ValueError(
                f'SSKDStageHook: the model is wrapped by {type(runner.model).__name__}, which reduces only the '
                'parameters that trained when it was built, but each SSKD stage trains others. Set '
                "`model_wrapper_cfg = dict(type='mmiekd.StageDistributedDataParallel')` (as the SSKD recipes do).")
        total = sum(model.lengths)
        loop_total = runner.max_epochs if self.by_epoch else runner.max_iters
        if total != loop_total:
            runner.logger.warning(f'SSKD: the stages and head phase last {total} '
                                  f'{"epochs" if self.by_epoch else "iterations"} but training runs {loop_total}')
        if self.restart_lr and not self.by_epoch:
            schedulers = runner.param_schedulers or []
            groups = list(schedulers.values()) if isinstance(schedulers, dict) else [schedulers]
            by_epoch = [type(s).__name__ for group in groups for s in group if s.by_epoch]
            if by_epoch:
                raise ValueError(
                    f'SSKDStageHook(by_epoch=False, restart_lr=True): the stages count iterations, but '
                    f'`param_scheduler` has epoch-based schedulers {by_epoch}, which would count the partial '
                    'epoch of a boundary as a whole one. Give them by_epoch=False (iterations) or '
                    'convert_to_iter_based=True, or count the stages in epochs (SSKDStageHook(by_epoch=True)).')
        self._update(runner, runner.epoch if self.by_epoch else runner.iter, force=True)

    def before_train_epoch(self, runner) -> None:
        if self.by_epoch:
            self._update(runner, runner.epoch)

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        if not self.by_epoch:
            self._update(runner, runner.iter)

    def _update(self, runner, progress: int, force: bool = False) -> None:
        model = self._model(runner)
        target = model.stage_at(progress)
        if target == int(model.stage) and not force:
            return
        previous = int(model.stage)
        changed = target != previous
        model.set_stage(target)
        name = 'head phase' if target >= model.num_stages else f'stage {target + 1}/{model.num_stages}'
        runner.logger.info(f'SSKD: {name} from {"epoch" if self.by_epoch else "iteration"} {progress + 1}')
        runner.message_hub.update_info('sskd_stage', target)
        # The LR scale in force now: none at the start of training or right after a restart; else that of the
        # previous stage (also after --resume: the checkpoint's LR was saved in that stage).
        applied = 1.0 if progress == 0 else self._lr_scale(previous, model)
        if self.restart_lr and changed and progress > 0:
            self._restart_schedulers(runner)
            applied = 1.0
        ratio = self._lr_scale(target, model) / applied
        if ratio != 1.0:
            for optimizer in self._optimizers(runner):
                for group in optimizer.param_groups:
                    group['lr'] *= ratio

    def _lr_scale(self, stage: int, model) -> float:
        return self.stage_lr_scale if stage < model.num_stages else 1.0

    @staticmethod
    def _optimizers(runner):
        wrapper = runner.optim_wrapper
        wrappers = list(wrapper.values()) if hasattr(wrapper, 'values') and not hasattr(wrapper, 'optimizer') \
            else [wrapper]
        return [w.optimizer for w in wrappers]

    @staticmethod
    def _restart_schedulers(runner) -> None:
        """Every LR/momentum scheduler starts again as if built at this boundary: they are built again.

        The optimizer's values go back to their initial ones, then the runner builds ``param_scheduler`` anew
        (its public ``build_param_scheduler``, in the config's order, so a warm-up's start factor applies now)
        and the new schedulers take the old ones' places in ``runner.param_schedulers``, which the
        scheduler hook steps and checkpoints save. MMEngine counts a scheduler's window (``begin``, ``end``)
        and milestones in its own steps since it was built: iterations for ``by_epoch=False`` schedulers,
        epochs for ``by_epoch=True`` ones, whatever the stages count. So ``param_scheduler`` is the schedule
        *of a stage*, replayed from each boundary.
        """
        schedulers = runner.param_schedulers
        if not schedulers:
            return
        groups = schedulers if isinstance(schedulers, dict) else {None: schedulers}
        for scheduler in (s for group in groups.values() for s in group):
            for param_group in scheduler.optimizer.param_groups:
                param_group[scheduler.param_name] = param_group[f'initial_{scheduler.param_name}']
        rebuilt = runner.build_param_scheduler(copy.deepcopy(runner.cfg.get('param_scheduler')))
        rebuilt = rebuilt if isinstance(rebuilt, dict) else {None: rebuilt}
        for key, group in groups.items():
            group[:] = rebuilt[key]  # in place: the list the runner and its hooks hold
