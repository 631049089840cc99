"""The model behind the runner's wrapper, checked for what a hook needs."""
from mmengine.model import is_model_wrapper


def distiller_of(runner, needs: str, hook: str, expected: str):
    """Returns ``runner.model`` unwrapped (DDP), or raises a TypeError if it lacks the attribute ``needs``.

    Args:
        runner: The MMEngine runner.
        needs (str): An attribute the hook uses (``'stage_at'``, ``'set_swap_prob'``...).
        hook (str): The hook's name, for the message.
        expected (str): The model the hook works with, for the message (``'an mmiekd.SSKDDistiller'``).
    """
    model = runner.model.module if is_model_wrapper(runner.model) else runner.model
    if not hasattr(model, needs):
        raise TypeError(f'{hook} needs {expected}, got {type(model).__name__}')
    return model
