"""SSKDStageHook: the stage follows the progress, and the LR schedule restarts at each boundary if asked."""
import warnings
from types import SimpleNamespace

import torch
from conftest import tiny_classifier
from mmengine.logging import MessageHub, MMLogger
from mmengine.optim.scheduler import MultiStepLR

from mmiekd.engine.hooks import SSKDStageHook
from mmiekd.models import SSKDDistiller


def sskd(lengths, head):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return SSKDDistiller(
            student=tiny_classifier(4), teacher=tiny_classifier(4), head_length=head,
            stages=[dict(student=f'backbone.layer{i + 1}', teacher=f'backbone.layer{i + 1}', length=n)
                    for i, n in enumerate(lengths)])


def fake_runner(model, schedulers):
    return SimpleNamespace(model=model, param_schedulers=schedulers, logger=MMLogger.get_instance('sskd_test'),
                           message_hub=MessageHub.get_instance('sskd_test'), cfg={}, iter=0, epoch=0,
                           max_iters=sum(model.lengths), max_epochs=sum(model.lengths))


def test_lr_schedule_restarts_at_each_stage():
    model = sskd([4, 4, 4, 4], head=4)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = MultiStepLR(optimizer, milestones=[2], gamma=0.1, begin=0, end=4, by_epoch=False)
    runner = fake_runner(model, [scheduler])
    hook = SSKDStageHook(by_epoch=False, restart_lr=True)
    lrs, stages = [], []
    for it in range(12):
        runner.iter = it
        hook.before_train_iter(runner, it)
        lrs.append(round(optimizer.param_groups[0]['lr'], 6))
        stages.append(int(model.stage))
        scheduler.step()
    assert stages == [0] * 4 + [1] * 4 + [2] * 4
    assert lrs == [0.1, 0.1, 0.01, 0.01] * 3


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
