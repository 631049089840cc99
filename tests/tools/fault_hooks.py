"""Test-only hooks, imported by training subprocesses through ``custom_imports``: a SIGKILL at a chosen point,
and a dump of the state a resumed run starts from."""
import os
import signal

import torch
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmiekd.registry import HOOKS


@HOOKS.register_module(force=True)
class SigkillHook(Hook):
    """Kills its own process with SIGKILL (no clean-up, no flush), once: ``marker`` records that it fired, so
    the resumed run lives.

    Args:
        marker (str): File created just before the kill.
        before_iter (int, optional): Kill before this iteration runs (``runner.iter`` iterations are done).
        at_save (int, optional): Kill in the ``at_save``-th checkpoint save, before the file is written.
    """

    priority = 'VERY_LOW'

    def __init__(self, marker, before_iter=None, at_save=None):
        self.marker = marker
        self.before_iter = before_iter
        self.at_save = at_save
        self.saves = 0

    def _kill(self):
        if os.path.exists(self.marker):
            return
        open(self.marker, 'w').close()
        os.kill(os.getpid(), signal.SIGKILL)

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if self.before_iter is not None and runner.iter + 1 == self.before_iter:
            self._kill()

    def before_save_checkpoint(self, runner, checkpoint):
        self.saves += 1
        if self.at_save == self.saves:
            self._kill()


@HOOKS.register_module(force=True)
class DumpStartStateHook(Hook):
    """Saves, when training (re)starts, the optimizer state and the model's buffers to ``path``."""

    priority = 'VERY_LOW'

    def __init__(self, path):
        self.path = path

    def before_train(self, runner):
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        buffers = {k: v.clone() for k, v in model.named_buffers() if k in ('stage', 'swap_prob', 'swap_step',
                                                                              'autoencoder_trained')}
        torch.save(dict(iter=runner.iter, optimizer=runner.optim_wrapper.state_dict(), buffers=buffers), self.path)


@HOOKS.register_module(force=True)
class DumpRankStateHook(Hook):
    """Saves, at the end of training, what each rank holds: the trainable weights, the student's BN statistics,
    and how DDP wrapped the model (``rank{R}.pth`` in ``folder``)."""

    priority = 'VERY_LOW'

    def __init__(self, folder):
        self.folder = folder

    def after_train(self, runner):
        wrapper = runner.model
        model = wrapper.module if is_model_wrapper(wrapper) else wrapper
        student_bn = {n: m.running_mean.clone() for n, m in model.student.named_modules()
                      if isinstance(m, torch.nn.modules.batchnorm._BatchNorm) and m.running_mean is not None}
        torch.save(dict(
            rank=runner.rank, world_size=runner.world_size, wrapper=type(wrapper).__name__,
            find_unused_parameters=getattr(wrapper, 'find_unused_parameters', None),
            builds=getattr(wrapper, 'builds', None),
            ignored=sorted(getattr(wrapper, 'parameters_to_ignore', [])),
            teacher_names=[f'teacher.{n}' for n, _ in model.teacher.named_parameters()],
            teacher_trainable=[n for n, p in model.teacher.named_parameters() if p.requires_grad],
            trainable={n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad},
            student=model.student.state_dict(), student_bn=student_bn,
            sync_bn=[n for n, m in model.student.named_modules() if type(m).__name__ == 'CPUSyncBatchNorm']),
            os.path.join(self.folder, f'rank{runner.rank}.pth'))
