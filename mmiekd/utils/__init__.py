from .atomic_io import AtomicLocalBackend, atomic_write, find_latest_checkpoint
from .checkpoint import (UnsafeCheckpointError, allow_checkpoint_globals, load_checkpoint_safely,
                         load_weights_strictly, safe_checkpoint_globals)
from .cpu_sync_bn import CPUSyncBatchNorm, convert_cpu_sync_batchnorm
from .mmcv_half_ops import mmcv_half_ops
from .model_config import check_config_keys, load_model_cfg, resolve_config_path, with_build_scopes
from .random_state import get_random_state, random_state_kept, set_random_state
from .setup_env import register_all_modules

__all__ = [
    'register_all_modules', 'load_checkpoint_safely', 'allow_checkpoint_globals', 'safe_checkpoint_globals',
    'UnsafeCheckpointError', 'load_weights_strictly', 'load_model_cfg', 'resolve_config_path', 'with_build_scopes',
    'check_config_keys', 'atomic_write', 'AtomicLocalBackend', 'find_latest_checkpoint', 'CPUSyncBatchNorm',
    'convert_cpu_sync_batchnorm', 'mmcv_half_ops', 'get_random_state', 'set_random_state', 'random_state_kept'
]
