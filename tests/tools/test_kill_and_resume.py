"""SIGKILL in the middle of an SSKD stage, an IAKD schedule and the IE-KD auto-encoder phase; ``--resume``
continues at the checkpoint's iteration with the same stage / swap probability / phase and optimizer state,
and nothing is lost or repeated. Checkpoints are written atomically."""
import os
import os.path as osp
import signal
import subprocess
import sys

import pytest
import torch
from conftest import ROOT, run_tool, tiny_recipe_config
from test_sskd_recipes_train import SHORT_STAGES
from test_train_test_tools import scalars

HERE = osp.dirname(osp.abspath(__file__))


def faulty_config(tmp_path, data, recipe, iters, hooks, extra=''):
    """A tiny recipe whose custom hooks are ``hooks`` (its method's hook and the fault hooks), with
    checkpoints every 3 iterations and a fixed seed."""
    return tiny_recipe_config(
        tmp_path / 'cfg.py', recipe, data, iters, extra
        + "custom_imports = dict(imports=['fault_hooks'], allow_failed_imports=False)\n"
        + "randomness = dict(seed=0)\n"
        + "default_hooks = dict(logger=dict(interval=1), checkpoint=dict(by_epoch=False, interval=3))\n"
        + f"custom_hooks = {hooks!r}\n")


def train(config, work_dir, *extra, check=True):
    return run_tool('tools/train.py', config, '--work-dir', work_dir, *extra,
                    env=dict(PYTHONPATH=os.pathsep.join([ROOT, HERE, os.environ.get('PYTHONPATH', '')])), check=check)


def killed(proc):
    assert proc.returncode == -signal.SIGKILL, (proc.returncode, proc.stderr[-3000:])
    return proc.stdout + proc.stderr


def assert_optimizer_state_equal(resumed, saved):
    assert resumed['param_groups'] == saved['param_groups']
    assert resumed['state'].keys() == saved['state'].keys() and resumed['state']
    for key, state in saved['state'].items():
        for name, value in state.items():
            assert torch.equal(resumed['state'][key][name], value), (key, name)


def test_sskd_killed_mid_stage_resumes_in_the_same_stage(tmp_path, shapes_data):
    marker, dump = str(tmp_path / 'killed'), str(tmp_path / 'start.pth')
    config = faulty_config(tmp_path, shapes_data, 'sskd/tiny/sskd_faster_rcnn_tiny_shapes.py', 10, [
        dict(type='mmiekd.SSKDStageHook', by_epoch=False), dict(type='mmiekd.SigkillHook', marker=marker, before_iter=5),
        dict(type='mmiekd.DumpStartStateHook', path=dump)], extra=SHORT_STAGES)
    work_dir = str(tmp_path / 'work')
    log = killed(train(config, work_dir, check=False))
    assert 'SSKD: stage 2/4 from iteration 3' in log and not osp.exists(osp.join(work_dir, 'iter_6.pth'))
    saved = torch.load(osp.join(work_dir, 'iter_3.pth'), map_location='cpu', weights_only=False)
    assert int(saved['state_dict']['stage']) == 1  # iteration 3 is stage 2's first, iteration 4 its second

    log = train(config, work_dir, '--resume').stdout
    assert 'resumed epoch: 0, iter: 3' in log and 'SSKD: stage 2/4 from iteration 4' in log
    start = torch.load(dump, weights_only=False)
    assert start['iter'] == 3 and int(start['buffers']['stage']) == 1
    assert_optimizer_state_equal(start['optimizer'], saved['optimizer'])
    records = {r['iter']: r for r in scalars(work_dir) if 'loss' in r}
    assert sorted(records) == list(range(4, 11)), 'resumed at iteration 4, through to the end'
    assert 'sskd.loss_stage2' in records[4] and 'sskd.loss_stage3' in records[5]


def test_iakd_killed_mid_schedule_resumes_with_the_same_swap_probability(tmp_path, shapes_data):
    marker, dump = str(tmp_path / 'killed'), str(tmp_path / 'start.pth')
    config = faulty_config(tmp_path, shapes_data, 'iakd/tiny/iakd_faster_rcnn_tiny_shapes.py', 8, [
        dict(type='mmiekd.IAKDSwapHook', p_start=0.8, p_end=0.0, end=8),
        dict(type='mmiekd.SigkillHook', marker=marker, before_iter=6),
        dict(type='mmiekd.DumpStartStateHook', path=dump)])
    work_dir = str(tmp_path / 'work')
    killed(train(config, work_dir, check=False))
    first = {r['iter']: r['swap_prob'] for r in scalars(work_dir) if 'loss' in r}
    saved = torch.load(osp.join(work_dir, 'iter_3.pth'), map_location='cpu', weights_only=False)
    assert float(saved['state_dict']['swap_prob']) == pytest.approx(0.6)  # iteration 3's: 0.8 - 2 * 0.1
    assert int(saved['state_dict']['swap_step']) == 3

    train(config, work_dir, '--resume')
    start = torch.load(dump, weights_only=False)
    assert start['iter'] == 3 and int(start['buffers']['swap_step']) == 3
    assert float(start['buffers']['swap_prob']) in (pytest.approx(0.6), pytest.approx(0.5))  # saved, or next
    assert_optimizer_state_equal(start['optimizer'], saved['optimizer'])
    resumed = {r['iter']: r['swap_prob'] for r in scalars(work_dir) if 'loss' in r}
    assert sorted(resumed) == list(range(4, 9))
    for it in (4, 5):  # iterations run before the kill and again after it: the same schedule
        assert resumed[it] == pytest.approx(first[it])
    assert resumed[8] == pytest.approx(0.1)
    last = torch.load(osp.join(work_dir, 'iter_8.pth'), map_location='cpu', weights_only=False)
    assert int(last['state_dict']['swap_step']) == 8


def test_iekd_killed_in_phase_1_resumes_phase_1_and_matches_an_uninterrupted_run(tmp_path, shapes_data):
    phase1 = dict(type='mmiekd.IEKDAutoEncoderHook', iters=6, log_interval=1, checkpoint_interval=2)
    recipe = 'iekd/tiny/iekd_faster_rcnn_tiny_shapes.py'
    # Reference: no interruption.
    ref_dir = tmp_path / 'ref'
    ref_dir.mkdir()
    ref = faulty_config(ref_dir, shapes_data, recipe, 2, [phase1])
    train(ref, str(ref_dir / 'work'))
    reference = torch.load(str(ref_dir / 'work' / 'iekd_autoencoder.pth'), map_location='cpu', weights_only=False)

    marker, marker2 = str(tmp_path / 'killed'), str(tmp_path / 'killed2')
    config = faulty_config(tmp_path, shapes_data, recipe, 4, [
        phase1, dict(type='mmiekd.SigkillHook', marker=marker, at_save=2),  # while saving phase-1 step 4
        dict(type='mmiekd.SigkillHook', marker=marker2, before_iter=4)])
    work_dir = str(tmp_path / 'work')
    killed(train(config, work_dir, check=False))
    assert os.listdir(work_dir).count('iekd_autoencoder_step_2.pth') == 1
    assert not osp.exists(osp.join(work_dir, 'iekd_autoencoder_step_4.pth'))

    log = killed(train(config, work_dir, '--resume', check=False))  # killed again, in phase 2
    assert 'IE-KD phase 1: resumed at step 3' in log and 'IE-KD phase 1 [3/6]' in log
    assert 'IE-KD phase 1 [2/6]' not in log, 'phase-1 steps already done are not repeated'
    assert not osp.exists(osp.join(work_dir, 'iekd_autoencoder_step_2.pth')), 'intermediate removed'
    phase2_start = torch.load(osp.join(work_dir, 'iekd_autoencoder.pth'), map_location='cpu', weights_only=False)
    for key, value in reference['state_dict'].items():
        if key.startswith('teacher_autoencoders.'):
            assert torch.equal(phase2_start['state_dict'][key], value), f'{key} differs from the uninterrupted run'

    log = train(config, work_dir, '--resume').stdout
    assert 'already trained (checkpoint); skipped' in log and 'resumed epoch: 0, iter: 3' in log
    assert sorted(r['iter'] for r in scalars(work_dir) if 'loss' in r) == [4]


def test_a_kill_while_saving_leaves_the_previous_checkpoint_whole(tmp_path):
    path = tmp_path / 'iter_4.pth'
    path.write_bytes(b'previous, complete checkpoint')
    script = ("import os, signal, sys\n"
              "from mmiekd.utils import atomic_write\n"
              "def half_then_die(f):\n"
              "    f.write(b'x' * 100000)\n"
              "    f.flush()\n"
              "    os.kill(os.getpid(), signal.SIGKILL)\n"
              f"atomic_write({str(path)!r}, half_then_die)\n")
    proc = subprocess.run([sys.executable, '-c', script], cwd=ROOT, env=dict(os.environ, PYTHONPATH=ROOT))
    assert proc.returncode == -signal.SIGKILL
    assert path.read_bytes() == b'previous, complete checkpoint'


def test_resume_survives_an_empty_last_checkpoint_pointer(tmp_path):
    from mmiekd.utils.atomic_io import find_latest_checkpoint
    (tmp_path / 'iter_2.pth').write_bytes(b'a')
    newest = tmp_path / 'iter_4.pth'
    newest.write_bytes(b'b')
    os.utime(tmp_path / 'iter_2.pth', (1, 1))
    (tmp_path / 'last_checkpoint').write_text('')  # killed between open() and write()
    assert find_latest_checkpoint(str(tmp_path)) == str(newest)
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'iter_2.pth'))
    assert find_latest_checkpoint(str(tmp_path)) == str(tmp_path / 'iter_2.pth')
    assert find_latest_checkpoint(str(tmp_path / 'nothing')) is None
