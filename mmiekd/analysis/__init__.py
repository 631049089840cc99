"""Analysis that the tools in ``tools/analysis_tools`` run: measurements on built recipes."""
from .loss_balance import BalanceRow, measure_balance, recipe_batch_size, recipe_input_size
from .recipes import build_recipe_model, load_recipe
from .synthetic import synthetic_batch

__all__ = ['BalanceRow', 'measure_balance', 'recipe_batch_size', 'recipe_input_size', 'build_recipe_model', 'load_recipe',
           'synthetic_batch']
