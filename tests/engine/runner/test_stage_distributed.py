"""StageDistributedDataParallel: one wrapper for a whole SSKD run, its inner DDP following the stage."""
import warnings
from types import SimpleNamespace

import pytest
import torch
import torch.distributed as dist
from conftest import classification_batch, tiny_classifier
from mmengine.model import MMDistributedDataParallel, is_model_wrapper
from mmengine.optim import OptimWrapper

from mmiekd.engine.hooks import SSKDStageHook
from mmiekd.engine.runner import StageDistributedDataParallel
from mmiekd.models import SSKDDistiller


def sskd():
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return SSKDDistiller(student=tiny_classifier(4), teacher=tiny_classifier(4), head_length=1,
                             stages=[dict(student=f'backbone.layer{i}', teacher=f'backbone.layer{i}', length=1)
                                     for i in range(1, 5)])


@pytest.fixture
def process_group(tmp_path):
    dist.init_process_group('gloo', init_method=f'file://{tmp_path}/pg', rank=0, world_size=1)
    yield
    dist.destroy_process_group()


def test_inner_ddp_follows_the_trainable_parameters_and_weights_appear_once(process_group):
    model = sskd()
    wrapper = StageDistributedDataParallel(module=model)
    assert is_model_wrapper(wrapper), 'MMEngine sees it as a wrapper (checkpoints save wrapper.module)'
    assert list(wrapper.state_dict()) == ['module.' + k for k in model.state_dict()]
    optim = OptimWrapper(torch.optim.SGD(wrapper.parameters(), lr=0.1))
    reduced = []
    for stage in range(model.num_stages + 1):
        model.set_stage(stage)
        before = {n: p.detach().clone() for n, p in model.student.named_parameters()}
        logs = wrapper.train_step(classification_batch(), optim)
        inner = wrapper.ddp
        assert isinstance(inner, MMDistributedDataParallel) and inner.module is model
        assert wrapper.builds == stage + 1, 'one build per stage'
        # The inner DDP reduces exactly the parameters that train in this stage, never the teacher's.
        reduced.append({id(p) for p in inner.parameters() if p.requires_grad})
        assert reduced[-1] == {id(p) for p in model.stage_params[stage]}
        changed = {n for n, p in model.student.named_parameters() if not torch.equal(p, before[n])}
        expected = {n for n, p in model.student.named_parameters() if any(p is q for q in model.stage_params[stage])}
        assert changed and changed <= expected
        assert (f'sskd.loss_stage{stage + 1}' if stage < model.num_stages else 'student.loss') in logs
    wrapper.train_step(classification_batch(), optim)
    assert wrapper.builds == model.num_stages + 1, 'same stage: the inner DDP is kept'
    assert wrapper.parameters_to_ignore == model._ddp_params_and_buffers_to_ignore
    assert not wrapper.find_unused_parameters


def test_the_hook_refuses_a_plain_ddp_before_training(process_group):
    model = sskd()
    runner = SimpleNamespace(model=MMDistributedDataParallel(module=model), param_schedulers=[])
    with pytest.raises(ValueError, match=r"model_wrapper_cfg = dict\(type='mmiekd.StageDistributedDataParallel'\)"):
        SSKDStageHook(by_epoch=False).before_train(runner)
