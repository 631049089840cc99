"""Validation that leaves the training's random stream alone."""
from mmengine.hooks import Hook

from mmiekd.registry import HOOKS
from mmiekd.utils.random_state import get_random_state, set_random_state


@HOOKS.register_module()
class ValRandomStateHook(Hook):
    """Restores Python's, NumPy's and PyTorch's global random generators after each validation to their state
    before it.

    MMEngine's validation draws from the global generators (each pass over the val dataloader draws its base
    seed), so two runs that validate at different points (a run validated every 1,000 iterations and one
    validated only at the end) later sample other RoIs and augment other images, although they have the same
    seed. With this hook the training after a validation draws exactly what it would have drawn without it.
    ``tools/analysis_tools/compare_methods.py`` adds it to every run it trains, so that runs of one seed stay
    paired whatever each validates (the student alone is validated several times to show its curve).
    """

    # Last: the state is saved after the other hooks' before_val and restored after everything validation ran.
    priority = 'LOWEST'

    def __init__(self):
        self._state = None

    def before_val(self, runner) -> None:
        self._state = get_random_state()

    def after_val(self, runner) -> None:
        if self._state is not None:
            set_random_state(self._state)
            self._state = None
