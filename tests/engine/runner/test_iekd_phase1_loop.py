"""IEKDPhase1Loop and the phase-1 optimizer wrapper of IEKDAutoEncoderHook: the run's wrapper kind, so that
--amp (autocast), gradient clipping and --auto-scale-lr apply to phase 1."""
import warnings
from types import SimpleNamespace

import pytest
import torch
from conftest import classification_batch, tiny_classifier
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.optim import OptimWrapper

from mmiekd.engine.hooks import IEKDAutoEncoderHook
from mmiekd.engine.optimizers import CPUAutocastOptimWrapper
from mmiekd.engine.runner import IEKDPhase1Loop
from mmiekd.models import IEKDDistiller


def distiller():
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return IEKDDistiller(student=tiny_classifier(4), teacher=tiny_classifier(8),
                             ie=dict(student='backbone.layer4', teacher='backbone.layer4', student_channels=32,
                                     teacher_channels=64, factor_channels=8))


def runner(**cfg):
    base = dict(optim_wrapper=dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.1)),
                train_dataloader=dict(batch_size=2))
    logged = []
    return SimpleNamespace(cfg=Config(dict(base, **cfg)), world_size=4, auto_scale_lr=cfg.get('auto_scale_lr'),
                           logger=MMLogger.get_instance('phase1_test'),
                           visualizer=SimpleNamespace(add_scalars=lambda d, step: logged.append((step, d)))), logged


def run_loop(model, wrapper, iters=2, **kwargs):
    model.set_autoencoder_learning(True)
    run, logged = runner()
    batches = [classification_batch(seed=i) for i in range(3)]
    IEKDPhase1Loop(run, batches, model, iters, wrapper, log_interval=1, **kwargs).run()
    return logged


def test_the_loop_trains_only_the_autoencoder_and_logs_the_loss():
    model = distiller()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    params = model.autoencoder_parameters()
    steps = []
    logged = run_loop(model, OptimWrapper(torch.optim.SGD(params, lr=0.1)), iters=4, after_step=steps.append)
    changed = {k for k, v in model.state_dict().items() if not torch.equal(v, before[k])}
    assert changed and all(k.startswith('teacher_autoencoders.') for k in changed)
    assert steps == [1, 2, 3, 4] and [s for s, _ in logged] == [1, 2, 3, 4]
    assert all(d['ie.phase1.loss_recon'] > 0 for _, d in logged)


def test_gradient_clipping_of_the_wrapper_applies_in_phase1():
    model = distiller()
    params = model.autoencoder_parameters()
    before = [p.detach().clone() for p in params]
    wrapper = OptimWrapper(torch.optim.SGD(params, lr=1.0), clip_grad=dict(max_norm=1e-3))
    run_loop(model, wrapper, iters=1)
    step = torch.sqrt(sum(((p.detach() - b)**2).sum() for p, b in zip(params, before)))
    assert 0 < step <= 1e-3 * 1.0001  # one SGD step of lr 1 on a gradient clipped to norm 1e-3


def test_autocast_of_the_wrapper_applies_in_phase1():
    model = distiller()
    seen = []
    model.teacher_autoencoders[0].encoder.register_forward_hook(
        lambda m, i, o: seen.append((torch.is_autocast_enabled('cpu'), o.dtype)))
    run_loop(model, CPUAutocastOptimWrapper(optimizer=torch.optim.SGD(model.autoencoder_parameters(), lr=0.1)),
             iters=1)
    assert seen == [(True, torch.bfloat16)]


def test_the_hook_builds_the_runs_wrapper_kind_with_clipping_and_scaled_lr():
    model = distiller()
    hook = IEKDAutoEncoderHook(iters=2, optimizer=dict(type='SGD', lr=0.08, momentum=0.9, nesterov=True))
    run, _ = runner(optim_wrapper=dict(type='mmiekd.CPUAutocastOptimWrapper', dtype='bfloat16',
                                       clip_grad=dict(max_norm=5.0), optimizer=dict(type='SGD', lr=0.02)),
                    auto_scale_lr=dict(enable=True, base_batch_size=16))
    wrapper = hook.build_optim_wrapper(run, model)
    assert isinstance(wrapper, CPUAutocastOptimWrapper) and wrapper.clip_grad_kwargs == dict(max_norm=5.0)
    group = wrapper.optimizer.param_groups[0]
    # --auto-scale-lr: 4 ranks x 2 images against a base of 16 halves the phase-1 LR, as the run's.
    assert group['lr'] == pytest.approx(0.04) and group['nesterov'] is True
    assert {id(p) for p in group['params']} == {id(p) for p in model.autoencoder_parameters()}
    plain, _ = runner(optim_wrapper=dict(constructor='mmiekd.BranchOptimWrapperConstructor'))
    assert type(hook.build_optim_wrapper(plain, model)) is OptimWrapper
    assert hook.build_optim_wrapper(plain, model).optimizer.param_groups[0]['lr'] == pytest.approx(0.08)


class _Sampler:
    """A sampler with an epoch, as mmengine's DefaultSampler."""
    epoch = 0

    def set_epoch(self, epoch):
        self.epoch = epoch


class _Loader(list):
    sampler = _Sampler()


def test_the_loop_leaves_the_random_generators_and_the_samplers_epoch_as_it_found_them():
    model = distiller()
    model.set_autoencoder_learning(True)
    loader = _Loader(classification_batch(seed=i) for i in range(2))
    torch.manual_seed(5)
    expected = torch.rand(3)
    torch.manual_seed(5)

    def draw(step):  # phase 1 drawing random numbers (augmentation, dataloader seeds) on every step
        torch.rand(10)

    IEKDPhase1Loop(runner()[0], loader, model, 5, OptimWrapper(torch.optim.SGD(model.autoencoder_parameters(), lr=0.1)),
                   log_interval=5, after_step=draw).run()
    # 5 steps over 2 batches went through epochs 0, 1 and 2; the training's first epoch is still epoch 0.
    assert loader.sampler.epoch == 0
    assert torch.equal(torch.rand(3), expected)
