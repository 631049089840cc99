"""Atomic local writes, so that a crash while saving never leaves a truncated checkpoint.

MMEngine 0.10.7 writes a checkpoint with ``open(path, 'wb').write(bytes)`` (``LocalBackend.put``) and the
``last_checkpoint`` pointer with ``open(..., 'w')``: a process killed in the middle (SIGKILL, a preempted
node, a full disk) leaves a truncated ``iter_N.pth`` or an empty pointer, and ``--resume`` then fails or
starts over. :class:`AtomicLocalBackend` is a local file backend whose ``put``/``put_text`` write a
temporary file in the same folder, flush it to disk and ``os.replace`` it (atomic on POSIX);
:class:`mmiekd.AtomicCheckpointHook` saves through it, and :class:`mmiekd.DistillRunner` resumes through
:func:`find_latest_checkpoint`, which falls back to the newest complete checkpoint when the pointer is empty
or names a missing file. MMEngine's own ``LocalBackend`` and look-up are left as they are.
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


class AtomicLocalBackend(LocalBackend):
    """MMEngine's local file backend with atomic writes (see :func:`atomic_write`)."""

    name = 'mmiekd_atomic_local'

    def put(self, obj: bytes, filepath) -> None:
        atomic_write(str(filepath), obj)

    def put_text(self, obj: str, filepath, encoding: str = 'utf-8') -> None:
        atomic_write(str(filepath), obj, encoding)


def atomic_backend_args() -> dict:
    """``backend_args`` that select :class:`AtomicLocalBackend` in MMEngine's file I/O.

    MMEngine's ``get_file_backend`` takes backends by registered name; the name is registered here, when a
    component that saves atomically is built, not at import.
    """
    from mmengine.fileio.backends import backends, register_backend
    if backends.get(AtomicLocalBackend.name) is not AtomicLocalBackend:
        register_backend(AtomicLocalBackend.name, AtomicLocalBackend, force=True)
    return dict(backend=AtomicLocalBackend.name)


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
