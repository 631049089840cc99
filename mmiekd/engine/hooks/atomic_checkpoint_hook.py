"""MMEngine's CheckpointHook, saving atomically."""
import os.path as osp

from mmengine.dist import is_main_process
from mmengine.hooks import CheckpointHook

from mmiekd.registry import HOOKS
from mmiekd.utils.atomic_io import atomic_backend_args, atomic_write


@HOOKS.register_module()
class AtomicCheckpointHook(CheckpointHook):
    """:class:`mmengine.hooks.CheckpointHook` whose local checkpoints and ``last_checkpoint`` pointer are
    written atomically (a temporary file, ``fsync``, ``os.replace``): a job killed while saving leaves the
    previous checkpoint and a pointer to it, never a truncated file.

    Every argument is CheckpointHook's. With ``backend_args`` or ``file_client_args`` given (a remote
    ``out_dir``), those are used as they are. :class:`mmiekd.DistillRunner` uses this hook in place of a
    plain ``CheckpointHook`` in ``default_hooks``, keeping its arguments.
    """

    def __init__(self, *args, **kwargs):
        local = '://' not in str(kwargs.get('out_dir') or '')
        if local and kwargs.get('backend_args') is None and kwargs.get('file_client_args') is None:
            kwargs['backend_args'] = atomic_backend_args()
        super().__init__(*args, **kwargs)

    def _save_checkpoint_with_step(self, runner, step, meta):
        super()._save_checkpoint_with_step(runner, step, meta)
        if is_main_process():
            # CheckpointHook writes the pointer with open('w'): rewrite it whole, atomically.
            atomic_write(osp.join(runner.work_dir, 'last_checkpoint'), str(self.last_ckpt))
