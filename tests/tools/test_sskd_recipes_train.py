"""SSKD recipes through tools/train.py on generated data: every stage, the head phase, resume mid-stage."""
import os.path as osp

import torch
from conftest import ROOT, TINY_RUNTIME, run_tool, train_digits_recipe, write_config
from test_train_test_tools import scalars

SHORT_STAGES = ("model = dict(stages=[dict(student=f'backbone.layer{i}', teacher=f'backbone.layer{i}', length=2) "
                "for i in range(1, 5)], head_length=2)\n")


def output(proc):
    return proc.stdout + proc.stderr


def test_detection_recipe_runs_every_stage_then_the_head_and_resumes_mid_stage(tmp_path, shapes_data):
    config = write_config(
        tmp_path / 'sskd_det.py',
        f"_base_ = ['{ROOT}/configs/sskd/tiny/sskd_faster_rcnn_tiny_shapes.py']\n"
        + TINY_RUNTIME.format(data=shapes_data, iters=10) + SHORT_STAGES
        + "default_hooks = dict(logger=dict(interval=1), checkpoint=dict(by_epoch=False, interval=3))\n")
    work_dir = str(tmp_path / 'work')
    log = output(run_tool('tools/train.py', config, '--work-dir', work_dir, '--cfg-options', 'train_cfg.max_iters=3'))
    assert 'SSKD: stage 1/4 from iteration 1' in log and 'SSKD: stage 2/4 from iteration 3' in log
    ckpt = torch.load(osp.join(work_dir, 'iter_3.pth'), map_location='cpu', weights_only=False)
    assert int(ckpt['state_dict']['stage']) == 1

    log = output(run_tool('tools/train.py', config, '--work-dir', work_dir, '--resume'))
    assert 'resumed epoch: 0, iter: 3' in log
    assert 'SSKD: stage 2/4 from iteration 4' in log, 'resume continues the same stage at the same iteration'
    records = {r['iter']: r for r in scalars(work_dir) if 'loss' in r}
    assert sorted(records) == list(range(4, 11)), 'nothing repeated, nothing skipped'
    assert 'sskd.loss_stage2' in records[4] and 'loss_cls' not in records[4]
    assert 'sskd.loss_stage4' in records[8]
    assert 'loss_cls' in records[9] and 'loss_cls' in records[10], 'head phase: detection losses'
    # Validated over the 4 val images (a 10-iteration detector may find nothing, so no mAP is asserted).
    assert 'Iter(val) [2/2]' in log


def test_classification_recipe_trains_on_embedded_digits_and_replays_the_warmup_at_every_stage(tmp_path,
                                                                                               digits_data):
    """The CIFAR recipe on the digits through the real runner, with SSKDStageHook(restart_lr=True): every stage
    mimics, the head phase trains the task, and the rebuilt schedulers replay an iteration-based warm-up at each
    boundary (2-iteration stages and head phase; warm-up factor 0.1 then 1, base LR 0.1)."""
    config = write_config(tmp_path / 'restart.py', f"""
_base_ = ['{ROOT}/configs/sskd/tiny/sskd_cifar_resnet56_resnet20_digits.py']
model = dict(stages=[dict(student=f'backbone.layer{{i}}', teacher=f'backbone.layer{{i}}', length=2) for i in (1, 2, 3)],
             head_length=2)
custom_hooks = [dict(type='mmiekd.SSKDStageHook', by_epoch=False, restart_lr=True)]
param_scheduler = dict(_delete_=True, type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=2)
""")
    work_dir = str(tmp_path / 'restart')
    log = output(train_digits_recipe(config, work_dir, digits_data, 8))
    assert 'SSKD: head phase from iteration 7' in log
    records = {r['iter']: r for r in scalars(work_dir) if 'loss' in r}
    assert [f'sskd.loss_stage{i}' in records[2 * i] for i in (1, 2, 3)] == [True] * 3
    assert 'student.loss' in records[7] and 'student.loss' in records[8]
    assert any('accuracy/top1' in r for r in scalars(work_dir))
    lrs = [round(records[i]['lr'], 6) for i in sorted(records)]
    assert lrs == [0.01, 0.1] * 4
