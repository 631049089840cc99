"""The swap-probability schedule of IAKD."""
import math
import numbers
from typing import Optional, Sequence

from mmengine.hooks import Hook

from mmiekd.registry import HOOKS
from .distiller_of import distiller_of

SCHEDULES = ('constant', 'linear', 'cosine', 'step')


def _check_count(value, key: str, minimum: int, optional: bool = False) -> Optional[int]:
    """Returns ``value`` (an iteration or epoch count), or raises if it is not an integer >= ``minimum``."""
    if optional and value is None:
        return None
    expected = f'`{key}` must be an integer >= {minimum}{" or None" if optional else ""}, got {value!r}'
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(expected)
    if value < minimum:
        raise ValueError(expected)
    return int(value)


@HOOKS.register_module()
class IAKDSwapHook(Hook):
    """Sets IAKD's swap probability from the training progress and logs it (``swap_prob``).

    ``p`` goes from ``p_start`` to ``p_end`` over ``[begin, end)`` (iterations or epochs; ``begin`` defaults to 0,
    ``end`` to the whole training), then stays at ``p_end`` (the paper ends with the pure student: ``p_end=0``);
    before ``begin`` it is 0 (the student trains alone first):
    ``constant`` (always ``p_start``), ``linear``, ``cosine`` (half cosine), or ``step`` (``p_start`` multiplied
    by ``gamma`` at each of ``milestones``, never below ``p_end``). The value follows from the progress, so it is
    right after ``--resume`` (it is also a buffer of the model, saved in checkpoints).

    Args:
        p_start (float): Probability at the start, in [0, 1].
        p_end (float): Probability at ``end`` and after, in [0, 1].
        schedule (str): One of ``constant``, ``linear``, ``cosine``, ``step``.
        begin (int): Progress at which the swaps start (``p_start``), >= 0; below ``end``.
        end (int, optional): Progress at which ``p_end`` is reached, >= 1.
        milestones (Sequence[int]): For ``step``, each >= 0.
        gamma (float): For ``step``, in [0, 1].
        by_epoch (bool): Count epochs instead of iterations.
    """

    priority = 'HIGH'

    def __init__(self, p_start: float = 0.5, p_end: float = 0.0, schedule: str = 'linear',
                 end: Optional[int] = None, milestones: Sequence[int] = (), gamma: float = 0.5,
                 by_epoch: bool = False, begin: int = 0):
        from mmiekd.models.distillers.iakd_distiller import check_probability
        self.p_start = check_probability(p_start, 'IAKDSwapHook.p_start')
        self.p_end = check_probability(p_end, 'IAKDSwapHook.p_end')
        if schedule not in SCHEDULES:
            raise ValueError(f'`IAKDSwapHook.schedule` must be one of {SCHEDULES}, got {schedule!r}')
        self.schedule = schedule
        self.end = _check_count(end, 'IAKDSwapHook.end', minimum=1, optional=True)
        self.begin = _check_count(begin, 'IAKDSwapHook.begin', minimum=0)
        if self.end is not None and self.begin >= self.end:
            raise ValueError(f'`IAKDSwapHook.begin` ({self.begin}) must be below `end` ({self.end})')
        if isinstance(milestones, (str, bytes)) or not isinstance(milestones, Sequence):
            raise TypeError(f'`IAKDSwapHook.milestones` must be a list of iterations/epochs, got {milestones!r}')
        self.milestones = sorted(_check_count(m, f'IAKDSwapHook.milestones[{i}]', minimum=0)
                                 for i, m in enumerate(milestones))
        # The step schedule only lowers p, so that it stays in [0, 1].
        self.gamma = check_probability(gamma, 'IAKDSwapHook.gamma', 'a factor')
        if not isinstance(by_epoch, bool):
            raise TypeError(f'`IAKDSwapHook.by_epoch` must be True or False, got {by_epoch!r}')
        self.by_epoch = by_epoch

    def value(self, progress: int, total: int) -> float:
        """The probability after ``progress`` iterations/epochs of ``total``."""
        end = self.end or total
        if progress < self.begin:
            return 0.0
        if self.schedule == 'constant':
            return self.p_start
        if self.schedule == 'step':
            passed = sum(progress >= m for m in self.milestones)
            return max(self.p_end, self.p_start * self.gamma**passed) if progress < end else self.p_end
        t = min(max((progress - self.begin) / max(1, end - self.begin), 0.0), 1.0)
        if self.schedule == 'cosine':
            t = (1 - math.cos(math.pi * t)) / 2
        return self.p_start + (self.p_end - self.p_start) * t

    def _apply(self, runner, progress: int) -> None:
        model = distiller_of(runner, 'set_swap_prob', 'IAKDSwapHook', 'an mmiekd.IAKDDistiller')
        p = self.value(progress, runner.max_epochs if self.by_epoch else runner.max_iters)
        model.set_swap_prob(p)
        runner.message_hub.update_scalar('train/swap_prob', p)

    def before_train_epoch(self, runner) -> None:
        if self.by_epoch:
            self._apply(runner, runner.epoch)

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        if not self.by_epoch:
            self._apply(runner, runner.iter)
        else:
            p = float(distiller_of(runner, 'swap_prob', 'IAKDSwapHook', 'an mmiekd.IAKDDistiller').swap_prob)
            runner.message_hub.update_scalar('train/swap_prob', p)
