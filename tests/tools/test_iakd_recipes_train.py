"""IAKD recipes through tools/train.py on generated data: the whole swap schedule, and resume."""
import os.path as osp

import torch
from conftest import ROOT, TINY_RUNTIME, run_tool, train_digits_recipe, write_config
from test_train_test_tools import scalars


def test_detection_recipe_trains_through_the_schedule_and_resume_restores_p(tmp_path, shapes_data):
    config = write_config(
        tmp_path / 'iakd_det.py',
        f"_base_ = ['{ROOT}/configs/iakd/tiny/iakd_faster_rcnn_tiny_shapes.py']\n"
        + TINY_RUNTIME.format(data=shapes_data, iters=4)
        + "custom_hooks = [dict(type='mmiekd.IAKDSwapHook', p_start=0.5, p_end=0.0, end=4)]\n"
        + "default_hooks = dict(logger=dict(interval=1), checkpoint=dict(by_epoch=False, interval=2))\n")
    work_dir = str(tmp_path / 'work')
    run_tool('tools/train.py', config, '--work-dir', work_dir, '--cfg-options', 'train_cfg.max_iters=2')
    ckpt = torch.load(osp.join(work_dir, 'iter_2.pth'), map_location='cpu', weights_only=False)
    assert float(ckpt['state_dict']['swap_prob']) == 0.375 and int(ckpt['state_dict']['swap_step']) == 2
    run_tool('tools/train.py', config, '--work-dir', work_dir, '--resume')
    records = {r['iter']: r for r in scalars(work_dir) if 'loss' in r}
    assert sorted(records) == [3, 4]
    assert [records[i]['swap_prob'] for i in (3, 4)] == [0.25, 0.125]
    assert all('loss_cls' in r for r in records.values())
    last = torch.load(osp.join(work_dir, 'iter_4.pth'), map_location='cpu', weights_only=False)
    assert int(last['state_dict']['swap_step']) == 4


def test_classification_recipe_trains_on_embedded_digits(tmp_path, digits_data):
    work_dir = str(tmp_path / 'cls')
    train_digits_recipe('iakd/tiny/iakd_cifar_resnet56_resnet20_digits.py', work_dir, digits_data, 3,
                        'custom_hooks.0.end=2')
    records = [r for r in scalars(work_dir) if 'loss' in r]
    assert [r['swap_prob'] for r in records] == [0.5, 0.25, 0.0]
    assert any('accuracy/top1' in r and 'teacher/accuracy/top1' in r for r in scalars(work_dir))


def test_detection_recipe_trains_and_validates_with_mmdets_ema_hook(tmp_path, shapes_data):
    """EMAHook deep-copies the distiller: the averaged copy must swap and compute with its own weights."""
    config = write_config(
        tmp_path / 'iakd_ema.py',
        f"_base_ = ['{ROOT}/configs/iakd/tiny/iakd_faster_rcnn_tiny_shapes.py']\n"
        + TINY_RUNTIME.format(data=shapes_data, iters=3)
        + "custom_hooks = [dict(type='mmiekd.IAKDSwapHook', p_start=0.5, p_end=0.5, schedule='constant'),\n"
        + "                dict(type='EMAHook', ema_type='ExponentialMovingAverage', momentum=0.5,\n"
        + "                     update_buffers=True, priority=49)]\n")
    work_dir = str(tmp_path / 'work')
    proc = run_tool('tools/train.py', config, '--work-dir', work_dir)
    # Validated (with the averaged weights) over the 4 val images; a 3-iteration detector may find nothing.
    assert 'Iter(val) [2/2]' in proc.stdout + proc.stderr
    ckpt = torch.load(osp.join(work_dir, 'iter_3.pth'), map_location='cpu', weights_only=False)
    ema = {k[len('module.'):]: v for k, v in ckpt['ema_state_dict'].items() if k.startswith('module.')}
    key = 'student.rpn_head.rpn_conv.weight'
    assert key in ckpt['state_dict'] and key in ema
    assert 'student.backbone.layer2.0.conv1.weight' in ema, 'plain student keys, no wrapper level'
    assert not any(k.startswith('teacher.') for k in ema), 'no teacher weights in the averaged model either'
    assert not torch.equal(ema[key], ckpt['state_dict'][key]), 'the average moved with the trained weights'
