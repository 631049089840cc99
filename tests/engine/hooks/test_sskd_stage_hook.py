"""SSKDStageHook: the stage follows the progress, and the LR schedule restarts at each boundary if asked.

The LR tests simulate whole runs step by step with MMEngine's own schedulers (stepped as its
ParamSchedulerHook steps them: iteration-based ones after every iteration, epoch-based ones after every epoch)
and compare the LR of every iteration with values worked out by hand."""
import warnings
from types import SimpleNamespace

import pytest
import torch
from conftest import ROOT, tiny_classifier
from mmengine.config import Config
from mmengine.logging import MessageHub, MMLogger
from mmengine.registry import PARAM_SCHEDULERS

from mmiekd.engine.hooks import SSKDStageHook
from mmiekd.models import SSKDDistiller


def sskd(lengths, head):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return SSKDDistiller(
            student=tiny_classifier(4), teacher=tiny_classifier(4), head_length=head,
            stages=[dict(student=f'backbone.layer{i + 1}', teacher=f'backbone.layer{i + 1}', length=n)
                    for i, n in enumerate(lengths)])


def fake_runner(model, schedulers, max_iters=None, max_epochs=None, scheduler_cfgs=None, optimizer=None):
    # build_param_scheduler: as MMEngine's runner builds `param_scheduler` (the hook rebuilds them at restarts).
    return SimpleNamespace(model=model, param_schedulers=schedulers, logger=MMLogger.get_instance('sskd_test'),
                           message_hub=MessageHub.get_instance('sskd_test'),
                           cfg=dict(param_scheduler=scheduler_cfgs or []), iter=0, epoch=0,
                           build_param_scheduler=lambda cfgs: [PARAM_SCHEDULERS.build(dict(c, optimizer=optimizer))
                                                               for c in cfgs],
                           max_iters=max_iters or sum(model.lengths), max_epochs=max_epochs or sum(model.lengths))


def simulate(hook_by_epoch, scheduler_cfgs, lengths, head, iters_per_epoch, epochs, base_lr=1.0, **hook_args):
    """LR and stage of every iteration of a run of ``epochs`` x ``iters_per_epoch`` with SSKD restarts."""
    model = sskd(lengths, head)
    optimizer = torch.optim.SGD(model.parameters(), lr=base_lr)
    schedulers = [PARAM_SCHEDULERS.build(dict(cfg, optimizer=optimizer)) for cfg in scheduler_cfgs]
    runner = fake_runner(model, schedulers, max_iters=epochs * iters_per_epoch, max_epochs=epochs,
                         scheduler_cfgs=scheduler_cfgs, optimizer=optimizer)
    runner.optim_wrapper = SimpleNamespace(optimizer=optimizer)
    hook = SSKDStageHook(by_epoch=hook_by_epoch, **dict(dict(restart_lr=True), **hook_args))
    hook.before_train(runner)
    lrs, stages = [], []
    for epoch in range(epochs):
        runner.epoch = epoch
        hook.before_train_epoch(runner)
        for i in range(iters_per_epoch):
            runner.iter = epoch * iters_per_epoch + i
            hook.before_train_iter(runner, i)
            lrs.append(round(optimizer.param_groups[0]['lr'], 6))
            stages.append(int(model.stage))
            optimizer.step()
            for scheduler in runner.param_schedulers:  # the runner's list: rebuilt in place at restarts
                if not scheduler.by_epoch:
                    scheduler.step()
        for scheduler in runner.param_schedulers:
            if scheduler.by_epoch:
                scheduler.step()
    return lrs, stages


WARMUP = dict(type='LinearLR', start_factor=0.5, by_epoch=False, begin=0, end=3)  # 0.5, 0.75, 1.0, 1.0...
PHASE = [0.5, 0.75, 1.0, 1.0]  # one 4-iteration epoch of a phase: the warm-up replayed


@pytest.mark.parametrize('hook_by_epoch', [True, False])
def test_every_phase_replays_the_iteration_based_warmup_and_decay(hook_by_epoch):
    # Four 1-epoch stages and a 2-epoch head phase of 4-iteration epochs, counted in epochs or iterations.
    lengths, head = ([1] * 4, 2) if hook_by_epoch else ([4] * 4, 8)
    decay = dict(type='MultiStepLR', by_epoch=False, milestones=[6], gamma=0.1, begin=0, end=8)
    lrs, stages = simulate(hook_by_epoch, [WARMUP, decay], lengths, head, iters_per_epoch=4, epochs=6)
    assert stages == [0] * 4 + [1] * 4 + [2] * 4 + [3] * 4 + [4] * 8
    # The stages never reach the decay (6 steps into a phase); the head phase does, at its 7th iteration.
    assert lrs == PHASE * 5 + [1.0, 1.0, 0.1, 0.1]


def test_epoch_based_decay_counts_epochs_of_the_phase():
    # The SSKD COCO recipe's mix: stages in epochs, iteration-based warm-up, epoch-based decay. The decay's
    # milestone (1 epoch into a phase) is reached only in the 2-epoch head phase, at its second epoch.
    decay = dict(type='MultiStepLR', by_epoch=True, milestones=[1], gamma=0.1, begin=0, end=2)
    lrs, stages = simulate(True, [WARMUP, decay], [1] * 4, 2, iters_per_epoch=4, epochs=6)
    assert stages == [0] * 4 + [1] * 4 + [2] * 4 + [3] * 4 + [4] * 8
    assert lrs == PHASE * 5 + [0.1] * 4


def test_iteration_stages_refuse_epoch_based_schedulers_with_restart():
    decay = dict(type='MultiStepLR', by_epoch=True, milestones=[1], gamma=0.1)
    with pytest.raises(ValueError, match='by_epoch=False.*epoch-based schedulers'):
        simulate(False, [WARMUP, decay], [2] * 4, 16, iters_per_epoch=4, epochs=6)


def test_coco_recipe_schedule_over_the_whole_run():
    """configs/sskd/faster_rcnn_r50_r101.py as its comment says: four one-epoch stages, then the student alone's
    whole 1x schedule as the head phase: a 500-iteration warm-up at each of the five phase starts, lr 0.02
    otherwise, and the head phase's decays after its epochs 8 and 11 (training epochs 12 and 15)."""
    cfg = Config.fromfile(f'{ROOT}/configs/sskd/faster_rcnn_r50_r101.py')
    lengths = [s['length'] for s in cfg.model.stages]
    assert lengths == [1, 1, 1, 1] and cfg.model.head_length == 12 and cfg.train_cfg.max_epochs == 16
    ipe = 600  # iterations per epoch of this simulation (COCO has 7,330 at batch 16)
    lrs, stages = simulate(True, [dict(c) for c in cfg.param_scheduler], lengths, 12, iters_per_epoch=ipe,
                           epochs=16, base_lr=0.02)
    starts = [0, 1, 2, 3, 4]  # the epochs at which a phase starts
    for epoch in range(16):
        first, settled = lrs[epoch * ipe], lrs[epoch * ipe + 500:(epoch + 1) * ipe]
        expected = 0.02 * (0.1 if epoch in (12, 13, 14) else 0.01 if epoch == 15 else 1)
        if epoch in starts:
            assert first == pytest.approx(0.02 * 0.001)  # the warm-up starts again
        assert settled == pytest.approx([expected] * len(settled)), f'epoch {epoch + 1}'
    assert stages[::ipe] == [0, 1, 2, 3] + [4] * 12


def test_old_restart_defect_is_caught():
    """The defect this replaced (windows moved to the boundary, last_step=0) is visible in the simulation:
    the head phase never decayed. The recipe's schedule must decay (previous test)."""
    cfg = Config.fromfile(f'{ROOT}/configs/sskd/faster_rcnn_r50_r101.py')
    old = [dict(c) for c in cfg.param_scheduler]
    old[1].update(end=12, milestones=[10, 11])  # the recipe before its fix: mmdet's 1x milestones, replayed
    ipe = 600
    lrs, _ = simulate(True, old, [1, 1, 1, 1], 8, iters_per_epoch=ipe, epochs=12, base_lr=0.02)
    assert lrs[11 * ipe + 599] == pytest.approx(0.02)  # no decay at all within the 12 epochs


def test_stage_lr_scale_applies_to_the_stages_only():
    lrs, _ = simulate(False, [], [2] * 4, 4, iters_per_epoch=12, epochs=1, base_lr=0.1, stage_lr_scale=10,
                      restart_lr=False)
    assert lrs == pytest.approx([1.0] * 8 + [0.1] * 4)
    # With restarts, each stage replays the warm-up at ten times the schedule's LR; the head phase at 1x.
    lrs, _ = simulate(False, [WARMUP], [4] * 4, 4, iters_per_epoch=20, epochs=1, stage_lr_scale=10)
    assert lrs == pytest.approx([10 * v for v in PHASE] * 4 + PHASE)
    with pytest.raises(ValueError, match='stage_lr_scale'):
        SSKDStageHook(stage_lr_scale=0)


def test_stage_lr_scale_after_resume():
    model = sskd([2] * 4, head=4)
    optimizer = torch.optim.SGD(model.parameters(), lr=1.0)  # as saved in stage 3 with a 10x scale
    model.set_stage(2)
    runner = fake_runner(model, [])
    runner.optim_wrapper = SimpleNamespace(optimizer=optimizer)
    hook = SSKDStageHook(by_epoch=False, stage_lr_scale=10)
    runner.iter = 5
    hook.before_train(runner)
    assert optimizer.param_groups[0]['lr'] == pytest.approx(1.0), 'the checkpoint\'s LR is already scaled'
    lrs = []
    for it in range(5, 12):
        runner.iter = it
        hook.before_train_iter(runner, it)
        lrs.append(optimizer.param_groups[0]['lr'])
    assert lrs == pytest.approx([1.0] * 3 + [0.1] * 4)


def test_stage_follows_epochs_and_is_restored_from_progress():
    model = sskd([2, 1, 1, 1], head=3)
    runner = fake_runner(model, [])
    hook = SSKDStageHook(by_epoch=True)
    runner.epoch = 3  # as after --resume at epoch 3
    hook.before_train(runner)
    assert int(model.stage) == 2
    seen = []
    for epoch in range(3, 8):
        runner.epoch = epoch
        hook.before_train_epoch(runner)
        seen.append(int(model.stage))
    assert seen == [2, 3, 4, 4, 4]
