"""The runner mmiekd's recipes select: MMEngine's Runner with crash-safe checkpoints, safe loading and CPU
SyncBN, each scoped to this runner (nothing in MMEngine, mmcv or PyTorch is replaced)."""
import pickle

from mmengine.device import get_device
from mmengine.model import is_model_wrapper
from mmengine.runner import Runner
from torch import nn

from mmiekd.registry import RUNNERS
from mmiekd.utils.atomic_io import find_latest_checkpoint
from mmiekd.utils.checkpoint import safe_checkpoint_globals, unsafe_checkpoint_error
from mmiekd.utils.cpu_sync_bn import convert_cpu_sync_batchnorm

_PLAIN_CHECKPOINT_HOOKS = ('CheckpointHook', 'mmengine.CheckpointHook')


@RUNNERS.register_module()
class DistillRunner(Runner):
    """:class:`mmengine.runner.Runner` for distillation (and any MMDetection/MMPretrain) configs.

    Select it with ``runner_type = 'mmiekd.DistillRunner'`` (every mmiekd recipe does; ``tools/train.py`` and
    ``tools/test.py`` use it for configs that name no runner). Compared with MMEngine's runner:

    - **Crash-safe checkpoints**: a plain ``CheckpointHook`` in ``default_hooks`` becomes
      :class:`mmiekd.AtomicCheckpointHook` with the same arguments, and ``resume=True`` falls back to the
      newest complete checkpoint when ``last_checkpoint`` is empty or stale.
    - **Safe loading**: ``load_from``, ``--resume`` and ``init_cfg=Pretrained`` run MMEngine's own loaders
      with PyTorch's ``weights_only=True`` and mmiekd's allow-list (:func:`mmiekd.utils.allowed_globals`)
      in scope; a file holding anything else is refused with :class:`mmiekd.utils.UnsafeCheckpointError`.
    - **SyncBN without a GPU**: in a distributed job on CPUs, ``sync_bn='torch'`` (and layers built with
      ``norm_cfg=dict(type='SyncBN')``) become :class:`mmiekd.utils.CPUSyncBatchNorm`, which DDP accepts
      on CPU; with a GPU, MMEngine's conversion is used unchanged.
    """

    def register_default_hooks(self, hooks=None) -> None:
        hooks = dict(hooks or {})
        checkpoint = hooks.get('checkpoint', dict(type='CheckpointHook', interval=1))
        if isinstance(checkpoint, dict) and checkpoint.get('type') in _PLAIN_CHECKPOINT_HOOKS:
            checkpoint = dict(checkpoint, type='mmiekd.AtomicCheckpointHook')
        hooks['checkpoint'] = checkpoint
        super().register_default_hooks(hooks)

    def wrap_model(self, model_wrapper_cfg, model):
        if not self.distributed or is_model_wrapper(model) or get_device() != 'cpu':
            return super().wrap_model(model_wrapper_cfg, model)
        sync_bn = self.cfg.get('sync_bn', None)
        if sync_bn not in (None, 'torch'):
            raise ValueError(f'`sync_bn`: a distributed job without a GPU supports "torch", got {sync_bn!r}')
        if sync_bn is None and not any(isinstance(m, nn.SyncBatchNorm) for m in model.modules()):
            return super().wrap_model(model_wrapper_cfg, model)
        model = convert_cpu_sync_batchnorm(model, only_sync=sync_bn is None)
        # MMEngine would turn them into PyTorch's GPU-only SyncBatchNorm again.
        self.cfg.pop('sync_bn', None)
        try:
            return super().wrap_model(model_wrapper_cfg, model)
        finally:
            if sync_bn is not None:
                self.cfg.sync_bn = sync_bn

    def load_or_resume(self) -> None:
        if self._has_loaded:
            return
        if self._resume and self._load_from is None:
            latest = find_latest_checkpoint(self.work_dir)
            if latest is None:
                self._resume = False
            else:
                self.logger.info(f'Auto resumed from the latest checkpoint {latest}.')
                self._load_from = latest
        try:
            with safe_checkpoint_globals():
                super().load_or_resume()
        except pickle.UnpicklingError as err:
            raise unsafe_checkpoint_error(self._load_from, err) from err

    def _init_model_weights(self) -> None:
        with safe_checkpoint_globals():
            super()._init_model_weights()
