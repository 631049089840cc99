"""Keeping a run's random stream: what the student alone would draw, it draws with distillation too.

A distiller builds and initialises more than the student (teacher, connectors, auto-encoders), validates the
teacher and may train auto-encoders before the student (IE-KD's phase 1). Each of these draws from PyTorch's,
NumPy's and Python's global generators, so without care the student of a distilled run starts from other
weights, and later samples other RoIs and flips other images, than the student alone with the same seed.
Code run inside :func:`random_state_kept` may draw random numbers, but the code after it sees the generators
as they were before: a seed then means the same initial student, data order and augmentation in every run,
and the paired comparison of ``compare_methods.py`` compares the methods, not the draws.
"""
import contextlib
import random
from typing import Any, Dict, Iterator

import numpy as np
import torch


def get_random_state() -> Dict[str, Any]:
    """The state of Python's, NumPy's and PyTorch's global generators (CUDA's too, where initialised)."""
    state = dict(python=random.getstate(), numpy=np.random.get_state(), torch=torch.get_rng_state())
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state['cuda'] = torch.cuda.get_rng_state_all()
    return state


def set_random_state(state: Dict[str, Any]) -> None:
    """Restores a state returned by :func:`get_random_state`."""
    random.setstate(state['python'])
    np.random.set_state(state['numpy'])
    torch.set_rng_state(state['torch'])
    if 'cuda' in state:
        torch.cuda.set_rng_state_all(state['cuda'])


@contextlib.contextmanager
def random_state_kept() -> Iterator[None]:
    """The block may draw random numbers; after it, the global generators are as they were before it."""
    state = get_random_state()
    try:
        yield
    finally:
        set_random_state(state)
