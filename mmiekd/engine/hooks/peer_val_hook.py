"""Evaluates the second network of a mutual-learning model (IE-DML) at every validation."""
from typing import Dict, Optional

from mmengine.hooks import Hook

from mmiekd.registry import HOOKS
from .distiller_of import distiller_of
from .teacher_val_hook import evaluate_with


@HOOKS.register_module()
class PeerValHook(Hook):
    """After each validation of the first network, validates ``branch`` too and logs its metrics as
    ``<branch>/<metric>`` beside the first network's (both networks are results of an IE-DML run).

    Args:
        branch (str): The network to evaluate as well.
    """

    # After RuntimeInfoHook (VERY_HIGH) logs the first network's metrics, before LoggerHook writes them.
    priority = 'NORMAL'

    def __init__(self, branch: str = 'net2'):
        self.branch = branch

    def after_val_epoch(self, runner, metrics: Optional[Dict[str, float]] = None) -> None:
        model = distiller_of(runner, 'eval_branch', 'PeerValHook', 'a model with several networks (IE-DML)')
        peer_metrics = evaluate_with(runner, model, 'eval_branch', self.branch)
        for key, value in peer_metrics.items():
            if isinstance(value, (int, float)):
                runner.message_hub.update_scalar(f'val/{self.branch}/{key}', value)
        text = '  '.join(f'{k}: {v:.4f}' if isinstance(v, float) else f'{k}: {v}' for k, v in peer_metrics.items())
        runner.logger.info(f'{self.branch}: {text}')
