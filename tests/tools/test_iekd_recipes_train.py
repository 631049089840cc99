"""IE-KD recipes through tools/train.py on generated data: both phases, and phase 1 exactly once."""
import os.path as osp

import torch
from conftest import ROOT, TINY_RUNTIME, run_tool, train_digits_recipe, write_config
from test_train_test_tools import scalars


def output(proc):
    return proc.stdout + proc.stderr


def test_detection_recipe_runs_both_phases_and_resume_skips_phase1(tmp_path, shapes_data):
    config = write_config(
        tmp_path / 'iekd_det.py',
        f"_base_ = ['{ROOT}/configs/iekd/tiny/iekd_faster_rcnn_tiny_shapes.py']\n"
        + TINY_RUNTIME.format(data=shapes_data, iters=2)
        + "custom_hooks = [dict(type='mmiekd.IEKDAutoEncoderHook', iters=2, log_interval=1)]\n")
    work_dir = str(tmp_path / 'work')
    log = output(run_tool('tools/train.py', config, '--work-dir', work_dir))
    assert 'IE-KD phase 1 [2/2]  loss_recon' in log and 'IE-KD phase 1 done' in log
    assert osp.isfile(osp.join(work_dir, 'iekd_autoencoder.pth'))
    records = [r for r in scalars(work_dir) if 'loss' in r]
    assert [r['iter'] for r in records] == [1, 2]
    assert all(r['ie.loss_inh'] > 0 > r['ie.loss_exp'] and 'loss_cls' in r for r in records)
    state = torch.load(osp.join(work_dir, 'iter_2.pth'), map_location='cpu', weights_only=False)['state_dict']
    # One auto-encoder per level IE runs on: the tiny recipe's three (P2-P4; P5/P6 are 2x2 and 1x1 at 64 px).
    assert bool(state['autoencoder_trained']) and 'teacher_autoencoders.2.encoder.1.weight' in state
    assert not any(k.startswith('teacher_autoencoders.3.') for k in state)
    # The FitNet term the IE terms ride on is logged beside them.
    assert all(r['distill.loss_fpn'] > 0 for r in records)

    log = output(run_tool('tools/train.py', config, '--work-dir', work_dir, '--resume',
                             '--cfg-options', 'train_cfg.max_iters=3'))
    assert 'already trained' in log and 'IE-KD phase 1 [' not in log
    assert [r['iter'] for r in scalars(work_dir) if 'loss' in r] == [3]


def test_resume_right_after_phase1_starts_phase2_without_repeating_it(tmp_path, shapes_data):
    config = write_config(
        tmp_path / 'iekd_det.py',
        f"_base_ = ['{ROOT}/configs/iekd/tiny/iekd_faster_rcnn_tiny_shapes.py']\n"
        + TINY_RUNTIME.format(data=shapes_data, iters=1)
        + "custom_hooks = [dict(type='mmiekd.IEKDAutoEncoderHook', iters=1)]\n")
    work_dir = tmp_path / 'work'
    run_tool('tools/train.py', config, '--work-dir', str(work_dir))
    # As if the job had died right after phase 1: only the phase-1 checkpoint is left.
    (work_dir / 'iter_1.pth').unlink()
    (work_dir / 'last_checkpoint').write_text(str(work_dir / 'iekd_autoencoder.pth'))
    log = output(run_tool('tools/train.py', config, '--work-dir', str(work_dir), '--resume'))
    assert 'already trained' in log and 'IE-KD phase 1 [' not in log
    assert 'resumed epoch: 0, iter: 0' in log and (work_dir / 'iter_1.pth').exists()
    assert [r['iter'] for r in scalars(str(work_dir)) if 'loss' in r] == [1], 'phase 2 starts at iteration 1'


def test_classification_recipe_trains_on_embedded_digits(tmp_path, digits_data):
    work_dir = str(tmp_path / 'cls')
    log = output(train_digits_recipe('iekd/tiny/iekd_cifar_resnet56_resnet20_digits.py', work_dir, digits_data, 2,
                                     'custom_hooks.0.iters=2', 'custom_hooks.0.log_interval=1'))
    assert 'IE-KD phase 1 [2/2]' in log and 'Teacher: accuracy/top1' in log
    records = [r for r in scalars(work_dir) if 'loss' in r]
    assert all(r['ie.loss_inh'] > 0 > r['ie.loss_exp'] and 'student.loss' in r for r in records)


def test_iedml_recipe_trains_two_networks_and_evaluates_both(tmp_path, digits_data):
    work_dir = str(tmp_path / 'dml')
    log = output(train_digits_recipe('iekd/tiny/iedml_cifar_resnet32_digits.py', work_dir, digits_data, 2))
    records = scalars(work_dir)
    train = [r for r in records if 'net1.loss_total' in r]
    assert [r['iter'] for r in train] == [1, 2]
    assert all('net2.ie.loss_exp' in r and 'net1.lr' in r and 'net2.lr' in r for r in train)
    val = [r for r in records if 'accuracy/top1' in r][-1]
    assert 'net2/accuracy/top1' in val and 'net2: accuracy/top1' in log
    ckpt = torch.load(osp.join(work_dir, 'iter_2.pth'), map_location='cpu', weights_only=False)
    assert set(ckpt['optimizer']) == {'net1', 'net2'}
