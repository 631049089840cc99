"""Validation of another network of a distiller (the teacher, IE-DML's second network) as an MMEngine loop."""
from typing import Any, Dict

import torch
from mmengine.runner import BaseLoop

from mmiekd.registry import LOOPS
from mmiekd.utils.random_state import random_state_kept


@LOOPS.register_module()
class NetworkValLoop(BaseLoop):
    """Runs the run's validation dataloader and evaluator with ``model.<attribute>`` set to ``value`` (which
    makes the distiller predict with another network: ``eval_teacher=True``, ``eval_branch='net2'``), then
    restores it; :meth:`run` returns the metrics.

    Unlike MMEngine's ``ValLoop`` it calls no hooks: it is run by hooks (``mmiekd.TeacherValHook``,
    ``mmiekd.PeerValHook``) inside or beside the student's validation, whose checkpoint-best and logging hooks
    must only see the student's metrics. It leaves the global random generators as it found them, so the
    training after it draws what it would draw without this validation.

    Args:
        runner: The MMEngine runner.
        dataloader (DataLoader | dict): The validation data (usually ``runner.val_loop.dataloader``).
        evaluator (Evaluator): The validation evaluator (usually ``runner.val_loop.evaluator``).
        model (nn.Module): The distiller behind the runner's model (unwrapped from DDP).
        attribute (str): The distiller attribute that selects the network.
        value: Its value while this loop runs.
    """

    def __init__(self, runner, dataloader, evaluator, model, attribute: str, value: Any):
        super().__init__(runner, dataloader)
        self.evaluator = evaluator
        self.model = model
        self.attribute = attribute
        self.value = value

    def run(self) -> Dict[str, float]:
        model, runner = self.model, self.runner
        previous = getattr(model, self.attribute)
        setattr(model, self.attribute, self.value)
        was_training = runner.model.training
        runner.model.eval()
        try:
            # The run's random stream is left as it was: a teacher validation changes nothing in training.
            with torch.no_grad(), random_state_kept():
                for data_batch in self.dataloader:
                    outputs = runner.model.val_step(data_batch)
                    self.evaluator.process(data_samples=outputs, data_batch=data_batch)
            return self.evaluator.evaluate(len(self.dataloader.dataset))
        finally:
            setattr(model, self.attribute, previous)
            runner.model.train(was_training)
