"""IE-KD phase 1 (and FT's paraphraser phase) as an MMEngine loop."""
from typing import Callable, Iterable, Optional

import torch.distributed as dist
from mmengine.runner import BaseLoop

from mmiekd.registry import LOOPS
from mmiekd.utils.random_state import random_state_kept


def _average_gradients(params) -> None:
    # Phase 1 runs outside DDP (the auto-encoders are frozen when DDP wraps the model): keep ranks equal.
    if dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1:
        for param in params:
            if param.grad is not None:
                dist.all_reduce(param.grad)
                param.grad /= dist.get_world_size()


@LOOPS.register_module()
class IEKDPhase1Loop(BaseLoop):
    """Trains a distiller's teacher auto-encoders on the training data, the teacher frozen.

    Each step: the student's preprocessing of a batch, the frozen teacher's forward up to the recorded
    features, the auto-encoders' reconstruction loss, then the update through ``optim_wrapper``, an MMEngine
    ``OptimWrapper`` of the run's own kind, so that ``--amp`` (autocast and loss scaling), gradient clipping and
    ``--auto-scale-lr`` (applied by whoever builds it, e.g. ``mmiekd.IEKDAutoEncoderHook``) hold in phase 1
    as in training. Under DDP the gradients are averaged over the ranks before each update. The data order
    continues across epochs of the dataloader (``set_epoch``), and ``start_step`` skips the batches of steps
    already done, so a resumed phase 1 sees the batches an uninterrupted one would. The global random
    generators and the sampler's epoch are left as phase 1 found them.

    Args:
        runner: The MMEngine runner (its ``logger`` and ``visualizer`` log the loss).
        dataloader (DataLoader | dict): The training data (a config is built by the runner).
        model (nn.Module): The distiller (``autoencoder_loss``, ``autoencoder_parameters``).
        iters (int): Number of phase-1 steps.
        optim_wrapper (OptimWrapper): Updates the auto-encoders.
        start_step (int): First step to run (1 unless resumed).
        log_interval (int): Log ``loss_recon`` every this many steps (and at the last).
        after_step (callable, optional): Called with the step number after each update (checkpoints).
    """

    def __init__(self, runner, dataloader, model, iters: int, optim_wrapper, start_step: int = 1,
                 log_interval: int = 50, after_step: Optional[Callable[[int], None]] = None):
        super().__init__(runner, dataloader)
        self.model = model
        self.iters = iters
        self.optim_wrapper = optim_wrapper
        self.start_step = start_step
        self.log_interval = log_interval
        self.after_step = after_step

    def _batches(self) -> Iterable:
        epoch = 0
        while True:
            if hasattr(self.dataloader, 'sampler') and hasattr(self.dataloader.sampler, 'set_epoch'):
                self.dataloader.sampler.set_epoch(epoch)
            yield from self.dataloader
            epoch += 1

    def run(self) -> None:
        # Phase 1 draws (data augmentation, dataloader seeds) from the run's generators; the student's
        # training after it draws what it would without phase 1 (the student alone with the same seed).
        # The sampler's epoch too: the training's first epoch is the one it would be without phase 1.
        sampler = getattr(self.dataloader, 'sampler', None)
        epoch = getattr(sampler, 'epoch', None)
        with random_state_kept():
            self._run()
        if epoch is not None and hasattr(sampler, 'set_epoch'):
            sampler.set_epoch(epoch)

    def _run(self) -> None:
        model, wrapper = self.model, self.optim_wrapper
        batches = self._batches()
        for _ in range(self.start_step - 1):  # the batches already trained on
            next(batches)
        params = model.autoencoder_parameters()
        for step in range(self.start_step, self.iters + 1):
            with wrapper.optim_context(model):
                data = model.data_preprocessor(next(batches), True)
                loss = model.autoencoder_loss(data['inputs'], data['data_samples'])
            wrapper.backward(loss)
            _average_gradients(params)
            wrapper.step()
            wrapper.zero_grad()
            if step % self.log_interval == 0 or step == self.iters:
                self.runner.logger.info(f'IE-KD phase 1 [{step}/{self.iters}]  loss_recon: {loss.item():.4f}')
                self.runner.visualizer.add_scalars({'ie.phase1.loss_recon': loss.item()}, step=step)
            if self.after_step is not None:
                self.after_step(step)
