"""ValRandomStateHook: the training after a validation draws what it would draw without the validation."""
from types import SimpleNamespace

from conftest import assert_same_draws, global_draws, seed_all

from mmiekd.registry import HOOKS


def test_validation_leaves_the_training_stream_alone():
    seed_all(0)
    expected = global_draws()
    seed_all(0)
    hook = HOOKS.build(dict(type='mmiekd.ValRandomStateHook'))
    runner = SimpleNamespace()
    hook.before_val(runner)
    global_draws()  # the validation: the val dataloader's base seed, random test-time steps
    hook.after_val(runner)
    assert_same_draws(global_draws(), expected)
