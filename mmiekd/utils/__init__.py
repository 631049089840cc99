from .atomic_io import atomic_write, install_atomic_local_writes
from .checkpoint import (UnsafeCheckpointError, allow_checkpoint_globals, install_safe_checkpoint_loader,
                         load_checkpoint_safely, load_weights_strictly)
from .model_config import check_config_keys, load_model_cfg, resolve_config_path, with_build_scopes
from .setup_env import register_all_modules

__all__ = [
    'register_all_modules', 'load_checkpoint_safely', 'allow_checkpoint_globals', 'install_safe_checkpoint_loader',
    'UnsafeCheckpointError', 'load_weights_strictly', 'load_model_cfg', 'resolve_config_path', 'with_build_scopes',
    'check_config_keys', 'atomic_write', 'install_atomic_local_writes'
]
