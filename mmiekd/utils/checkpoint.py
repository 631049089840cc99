"""Checkpoint loading with ``weights_only=True`` and an explicit allow-list.

torch >= 2.6 unpickles checkpoints with ``weights_only=True``: only tensors, containers and allow-listed
classes. MMEngine 0.10.7 calls ``torch.load`` without saying so, and its own training checkpoints hold a few
non-tensor objects (``HistoryBuffer`` in the message hub, numpy arrays and scalars in the log history), so
``--resume`` fails. We do not switch the safety off and do not replace MMEngine's loaders:
- mmiekd's own reads (teacher and auto-encoder checkpoints) go through :func:`load_checkpoint_safely`;
- :class:`mmiekd.DistillRunner` runs MMEngine's own loading (``load_from``, ``--resume``,
  ``init_cfg=Pretrained``) inside :func:`safe_checkpoint_globals`, PyTorch's scoped allow-list, so that
  ``torch.load``'s default ``weights_only=True`` accepts exactly those classes and refuses anything else.
"""
import os
import os.path as osp
import pickle
import re
from contextlib import contextmanager
from typing import Callable, List, Union

import numpy as np
import torch
from mmengine.logging import print_log


class UnsafeCheckpointError(pickle.UnpicklingError):
    """A checkpoint holds an object outside the allow-list."""


def _numpy_globals() -> List:
    """The numpy objects a pickled ndarray or numpy scalar refers to, under numpy 1.x and 2.x names."""
    multiarray = getattr(np, '_core', np.core).multiarray
    dtypes = [type(np.dtype(name)) for name in (
        'bool', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64', 'float16',
        'float32', 'float64', 'complex64', 'complex128', 'str')]
    aliases = []
    for module in ('numpy.core.multiarray', 'numpy._core.multiarray'):
        aliases += [(multiarray._reconstruct, f'{module}._reconstruct'), (multiarray.scalar, f'{module}.scalar')]
    return [np.ndarray, np.dtype, *dtypes, *aliases]


def _history_buffer_statistic(owner, name: str):
    """Stands in for ``getattr`` while unpickling: resolves only HistoryBuffer's statistics methods.

    A HistoryBuffer pickles its ``_statistics_methods`` as ``getattr(HistoryBuffer, 'mean')``; allowing
    the real ``getattr`` would let a checkpoint reach any attribute of any allowed class.
    """
    from mmengine.logging import HistoryBuffer
    # The built-in statistics are registered when the first buffer is created, maybe not yet.
    allowed = {'min', 'max', 'current', 'mean', *HistoryBuffer._statistics_methods}
    if owner is HistoryBuffer and name in allowed:
        return getattr(HistoryBuffer, name)
    raise pickle.UnpicklingError(f'GLOBAL builtins.getattr({owner!r}, {name!r}) is not allowed')


def _mmengine_globals() -> List:
    from mmengine.logging import HistoryBuffer
    return [HistoryBuffer, (_history_buffer_statistic, 'builtins.getattr')]


_EXTRA_GLOBALS: List = []


def allowed_globals() -> List:
    """Everything a checkpoint may hold besides tensors and plain containers."""
    return [*_numpy_globals(), *_mmengine_globals(), *_EXTRA_GLOBALS]


def allow_checkpoint_globals(*objects) -> None:
    """Adds classes/functions to the allow-list (for a checkpoint format of your own that you trust)."""
    _EXTRA_GLOBALS.extend(objects)


_SCHEME = re.compile(r'^[A-Za-z][A-Za-z0-9+.-]*://')


def load_checkpoint_safely(filename: str, map_location: Union[str, Callable, torch.device, None] = 'cpu'):
    """``torch.load(filename, weights_only=True)`` with mmiekd's allow-list; local paths or URLs.

    Args:
        filename (str): A local path; an ``http(s)://`` URL (downloaded once into the torch hub cache,
            ``$TORCH_HOME/hub/checkpoints``, rank 0 first in a distributed job); MMEngine's model-zoo names
            ``torchvision://``, ``open-mmlab://`` (resolved with MMEngine's tables, then downloaded the same
            way); or another MMEngine file-backend URI (``s3://``...). Whatever the source, the file is
            unpickled with the same ``weights_only=True`` and allow-list as a local one (MMEngine's own
            HTTP loader unpickles with ``weights_only=False``, so it is not used).
        map_location: As in :func:`torch.load`; ``'cpu'`` by default so a GPU checkpoint loads anywhere.

    Raises:
        FileNotFoundError: No such local file.
        UnsafeCheckpointError: The checkpoint holds an object outside the allow-list; the message names it.
    """
    source = filename
    if _SCHEME.match(filename):
        filename = _local_copy(filename)
        source = f'{source}" (cached as "{filename}'
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{filename} can not be found.')
    try:
        with safe_checkpoint_globals():
            return torch.load(filename, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as err:
        raise unsafe_checkpoint_error(source, err) from err


def _cache_dir() -> str:
    """The torch hub cache's checkpoint folder (``$TORCH_HOME/hub/checkpoints``), created if missing."""
    from torch.hub import get_dir
    folder = osp.join(get_dir(), 'checkpoints')
    os.makedirs(folder, exist_ok=True)
    return folder


def _download(url: str) -> str:
    """The torch hub cache's copy of ``url``, downloaded (atomically) by rank 0 first if missing."""
    from urllib.parse import urlparse

    from mmengine.dist import barrier, get_dist_info
    from torch.hub import download_url_to_file
    cached = osp.join(_cache_dir(), osp.basename(urlparse(url).path))
    rank, world_size = get_dist_info()
    for turn in ((0, ) if world_size == 1 else (0, 1)):
        if (rank == 0) == (turn == 0) and not osp.exists(cached):
            print_log(f'Downloading "{url}" to {cached}', logger='current')
            download_url_to_file(url, cached, progress=False)
        if world_size > 1 and turn == 0:
            barrier()
    return cached


def _local_copy(uri: str) -> str:
    """A local file holding the checkpoint named by ``uri`` (see :func:`load_checkpoint_safely`)."""
    if uri.startswith(('http://', 'https://')):
        return _download(uri)
    from mmengine.runner import checkpoint as mm_ckpt
    if uri.startswith(('torchvision://', 'modelzoo://')):
        return _download(mm_ckpt.get_torchvision_models()[uri.split('://', 1)[1]])
    if uri.startswith(('open-mmlab://', 'openmmlab://')):
        name = uri.split('://', 1)[1]
        name = mm_ckpt.get_deprecated_model_names().get(name, name)
        url = mm_ckpt.get_external_models()[name]
        if url.startswith(('http://', 'https://')):
            return _download(url)
        return osp.join(mm_ckpt._get_mmengine_home(), url)
    # Another file backend (s3://, petrel...): its bytes, through MMEngine's file I/O, into a local file.
    from mmengine.fileio import get
    local = osp.join(_cache_dir(), osp.basename(uri))
    if not osp.exists(local):
        from .atomic_io import atomic_write
        atomic_write(local, get(uri))
    return local


def unsafe_checkpoint_error(filename: str, err: Exception) -> UnsafeCheckpointError:
    """The error for a checkpoint that ``weights_only`` unpickling refused, naming what it holds."""
    found = re.findall(r'GLOBAL ([\w.]+)', str(err)) or re.findall(r'global ([\w.]+)', str(err))
    what = found[0] if found else 'an object'
    return UnsafeCheckpointError(
        f'Refusing to load checkpoint "{filename}": it holds {what}, which is not on mmiekd\'s '
        'allow-list of what MMEngine/MMDetection/MMPretrain checkpoints contain (tensors, containers, '
        'numpy arrays/scalars, mmengine HistoryBuffer). If you trust this file and its format, allow '
        'the class with mmiekd.utils.allow_checkpoint_globals(...).')


@contextmanager
def safe_checkpoint_globals():
    """Within this context, ``torch.load(..., weights_only=True)`` (PyTorch's default) also accepts the
    classes of :func:`allowed_globals`; on leaving it PyTorch's allow-list is as before."""
    with torch.serialization.safe_globals(allowed_globals()):
        yield


def load_weights_strictly(model: torch.nn.Module, filename: str, key: str) -> None:
    """Loads a checkpoint into ``model`` and requires every key and shape to fit.

    Accepts a plain state dict or a checkpoint with ``state_dict`` (``module.`` prefixes of DDP-saved
    weights are stripped).

    Args:
        model (nn.Module): The model to fill.
        filename (str): Checkpoint path or URL (see :func:`load_checkpoint_safely`).
        key (str): The config key that named the file (``'teacher_ckpt'``), named in errors.

    Raises:
        ValueError: Missing or unexpected keys, or shape mismatches; the first ones are listed.
    """
    checkpoint = load_checkpoint_safely(filename, map_location='cpu')
    state = checkpoint.get('state_dict', checkpoint) if isinstance(checkpoint, dict) else None
    if not isinstance(state, dict):
        raise ValueError(f'`{key}`: "{filename}" holds no state dict')
    state = {k[len('module.'):] if k.startswith('module.') else k: v for k, v in state.items()}
    own = model.state_dict()
    missing = [k for k in own if k not in state]
    unexpected = [k for k in state if k not in own]
    mismatched = [f'{k}: checkpoint {tuple(state[k].shape)} vs model {tuple(v.shape)}'
                  for k, v in own.items() if k in state and hasattr(state[k], 'shape')
                  and tuple(state[k].shape) != tuple(v.shape)]
    if missing or unexpected or mismatched:
        parts = []
        for label, items in (('missing keys', missing), ('unexpected keys', unexpected),
                             ('shape mismatches', mismatched)):
            if items:
                parts.append(f'{len(items)} {label} (first: {items[:5]})')
        raise ValueError(f'`{key}`="{filename}" does not fit the model built for it: ' + '; '.join(parts)
                         + '. Is it a checkpoint of the same architecture?')
    model.load_state_dict(state, strict=True)
