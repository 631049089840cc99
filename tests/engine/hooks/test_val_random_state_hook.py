"""ValRandomStateHook: the training after a validation draws what it would draw without the validation."""
import random
from types import SimpleNamespace

import numpy as np
import torch

from mmiekd.registry import HOOKS


def draws():
    return torch.rand(3), np.random.rand(2), random.random()


def test_validation_leaves_the_training_stream_alone():
    torch.manual_seed(0)
    np.random.seed(0)
    random.seed(0)
    expected = draws()
    torch.manual_seed(0)
    np.random.seed(0)
    random.seed(0)
    hook = HOOKS.build(dict(type='mmiekd.ValRandomStateHook'))
    runner = SimpleNamespace()
    hook.before_val(runner)
    draws()  # the validation: the val dataloader's base seed, random test-time steps
    hook.after_val(runner)
    got = draws()
    assert torch.equal(got[0], expected[0]) and np.array_equal(got[1], expected[1]) and got[2] == expected[2]

