"""NetworkValLoop: validates with another network selected, and restores the selection and the mode."""
from types import SimpleNamespace

import pytest
import torch
from torch import nn

from mmiekd.registry import LOOPS


class Picker(nn.Module):
    def __init__(self):
        super().__init__()
        self.eval_branch = 'net1'

    def val_step(self, batch):
        torch.rand(5)  # a prediction that draws random numbers
        if batch == 'bad':
            raise RuntimeError('broken batch')
        return [(self.eval_branch, self.training)]


class Evaluator:
    def __init__(self):
        self.seen = []

    def process(self, data_samples, data_batch):
        self.seen += data_samples

    def evaluate(self, size):
        return dict(count=size, branches=sorted({b for b, _ in self.seen}))


class Batches(list):
    dataset = range(3)


def build(batches):
    model = Picker().train()
    evaluator = Evaluator()
    loop = LOOPS.build(dict(type='mmiekd.NetworkValLoop', runner=SimpleNamespace(model=model), dataloader=batches,
                            evaluator=evaluator, model=model, attribute='eval_branch', value='net2'))
    return model, evaluator, loop


def test_runs_with_the_other_network_in_eval_mode_and_restores_both():
    model, evaluator, loop = build(Batches(['a', 'b', 'c']))
    assert loop.run() == dict(count=3, branches=['net2'])
    assert evaluator.seen == [('net2', False)] * 3  # every batch predicted by net2, in eval mode
    assert model.eval_branch == 'net1' and model.training


def test_restores_after_an_error():
    model, _, loop = build(Batches(['a', 'bad']))
    with pytest.raises(RuntimeError, match='broken batch'):
        loop.run()
    assert model.eval_branch == 'net1' and model.training


def test_leaves_the_random_generators_as_it_found_them():
    torch.manual_seed(1)
    expected = torch.rand(3)
    torch.manual_seed(1)
    _, _, loop = build(Batches(['a', 'b', 'c']))
    loop.run()
    assert torch.equal(torch.rand(3), expected)  # the training after a teacher validation draws as without it
