"""Atomic local writes, so that a crash while saving never leaves a truncated checkpoint.

MMEngine 0.10.7 writes a checkpoint with ``open(path, 'wb').write(bytes)`` (``LocalBackend.put``) and the
``last_checkpoint`` pointer with ``open(..., 'w')``: a process killed in the middle (SIGKILL, a preempted
node, a full disk) leaves a truncated ``iter_N.pth`` or an empty pointer, and ``--resume`` then fails or
starts over. :func:`install_atomic_local_writes` makes every local ``put``/``put_text`` write a temporary
file in the same folder, flush it to disk and ``os.replace`` it (atomic on POSIX), and makes the resume
look-up fall back to the newest complete checkpoint when the pointer is empty or names a missing file.
"""
import glob
import os
import os.path as osp
import re
import tempfile
from typing import Callable, Optional, Union

from mmengine.fileio.backends.local_backend import LocalBackend
from mmengine.logging import print_log


def atomic_write(path: str, data: Union[bytes, str, Callable], encoding: str = 'utf-8') -> None:
    """Writes ``data`` to ``path`` through a temporary file and a rename; readers see all or nothing.

    Args:
        path (str): Destination file; its folder is created if needed.
        data (bytes | str | callable): The content, or a function that writes to a binary file object
            (e.g. ``lambda f: torch.save(obj, f)``).
        encoding (str): Encoding of ``str`` data.
    """
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix='.' + osp.basename(path) + '.', suffix='.tmp')
    try:
        with os.fdopen(fd, 'wb') as f:
            if callable(data):
                data(f)
            else:
                f.write(data.encode(encoding) if isinstance(data, str) else data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if osp.exists(tmp):
            os.remove(tmp)


def _atomic_put(self, obj: bytes, filepath) -> None:
    atomic_write(str(filepath), obj)


def _atomic_put_text(self, obj: str, filepath, encoding: str = 'utf-8') -> None:
    atomic_write(str(filepath), obj, encoding)


# What MMEngine's CheckpointHook and mmiekd's hooks name their checkpoints.
_CKPT_NAME = re.compile(r'^((epoch|iter)_\d+|iekd_autoencoder(_step_\d+)?)\.pth$')


def find_latest_checkpoint(path: str) -> Optional[str]:
    """MMEngine's ``find_latest_checkpoint``, robust to an empty or stale ``last_checkpoint`` pointer.

    Returns:
        str | None: The pointer's target if it exists, else the newest training checkpoint in ``path``
        (complete, since checkpoints are written atomically), else None (training starts from scratch).
    """
    pointer = osp.join(path, 'last_checkpoint')
    target = ''
    if osp.exists(pointer):
        with open(pointer) as f:
            target = f.read().strip()
    if target and osp.isfile(target):
        return target
    found = [p for p in glob.glob(osp.join(path, '*.pth')) if _CKPT_NAME.match(osp.basename(p))]
    if found:
        latest = max(found, key=osp.getmtime)
        print_log(f'last_checkpoint in {path} is {"stale: " + target if target else "missing or empty"}; '
                  f'resuming from the newest checkpoint, {latest}', logger='current', level=30)
        return latest
    print_log(f'Did not find a checkpoint to resume in {path}.', logger='current')
    return None


def install_atomic_local_writes() -> None:
    """Makes MMEngine's local file writes and its resume look-up crash-safe (idempotent)."""
    if getattr(LocalBackend.put, '_mmiekd_atomic', False):
        return
    _atomic_put._mmiekd_atomic = True
    LocalBackend.put = _atomic_put
    LocalBackend.put_text = _atomic_put_text
    import mmengine.runner.checkpoint as ckpt_module
    import mmengine.runner.runner as runner_module
    ckpt_module.find_latest_checkpoint = find_latest_checkpoint
    runner_module.find_latest_checkpoint = find_latest_checkpoint
