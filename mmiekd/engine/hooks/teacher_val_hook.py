"""Evaluates the frozen teacher once, so the student's validation metrics are logged beside its own."""
from typing import Dict, Optional

from mmengine.hooks import Hook

from mmiekd.registry import HOOKS, LOOPS
from .distiller_of import distiller_of


def evaluate_with(runner, model, attribute: str, value) -> Dict[str, float]:
    """The metrics of the run's validation with ``model.<attribute>`` set to ``value`` (another network of the
    distiller), through ``mmiekd.NetworkValLoop`` on the run's val dataloader and evaluator."""
    loop = runner.val_loop
    return LOOPS.build(dict(type='mmiekd.NetworkValLoop', runner=runner, dataloader=loop.dataloader,
                            evaluator=loop.evaluator, model=model, attribute=attribute, value=value)).run()


@HOOKS.register_module()
class TeacherValHook(Hook):
    """Validates the teacher before training starts (``mmiekd.NetworkValLoop`` on the run's validation
    dataloader and evaluator).

    The metrics are logged once (``Teacher: coco/bbox_mAP: ...``) and then added to every validation
    log as ``teacher/<metric>``, next to the student's, so the gap is visible throughout training.

    Args:
        log_every_val (bool): Repeat the teacher's metrics in each validation log.
    """

    # After RuntimeInfoHook (VERY_HIGH) puts the student's metrics in the message hub, before LoggerHook
    # (BELOW_NORMAL) writes them.
    priority = 'NORMAL'

    def __init__(self, log_every_val: bool = True):
        self.log_every_val = log_every_val
        self.metrics: Optional[Dict[str, float]] = None

    def before_train(self, runner) -> None:
        if runner.val_loop is None or not hasattr(runner.val_loop, 'evaluator'):
            runner.logger.warning('TeacherValHook: the runner has no val_dataloader/val_evaluator; '
                                  'the teacher is not evaluated.')
            return
        model = distiller_of(runner, 'eval_teacher', 'TeacherValHook', 'a distiller model (with a teacher)')
        self.metrics = evaluate_with(runner, model, 'eval_teacher', True)
        text = '  '.join(f'{k}: {v:.4f}' if isinstance(v, float) else f'{k}: {v}' for k, v in self.metrics.items())
        runner.logger.info(f'Teacher: {text}')
        runner.message_hub.update_info('teacher_metrics', self.metrics)

    def after_val_epoch(self, runner, metrics: Optional[Dict[str, float]] = None) -> None:
        if not self.log_every_val or not self.metrics:
            return
        for key, value in self.metrics.items():
            if isinstance(value, (int, float)):
                runner.message_hub.update_scalar(f'val/teacher/{key}', value)
