"""The AT and FT baselines (configs/kd) through tools/train.py on generated data: FT trains its paraphraser
first (phase 1), then the student with the factor term; AT needs no phase 1."""
import torch
from conftest import ROOT, TINY_RUNTIME, run_tool, train_digits_recipe, write_config
from test_train_test_tools import scalars


def test_ft_detection_recipe_trains_the_paraphraser_then_the_student(tmp_path, shapes_data):
    config = write_config(
        tmp_path / 'ft_det.py', f"_base_ = ['{ROOT}/configs/kd/tiny/ft_faster_rcnn_tiny_shapes.py']\n"
        + TINY_RUNTIME.format(data=shapes_data, iters=2)
        + "custom_hooks = [dict(type='mmiekd.IEKDAutoEncoderHook', iters=3, log_interval=1)]\n")
    work_dir = tmp_path / 'work'
    proc = run_tool('tools/train.py', config, '--work-dir', str(work_dir))
    log = proc.stdout + proc.stderr
    assert 'IE-KD phase 1 [3/3]  loss_recon' in log and 'IE-KD phase 1 done' in log
    records = [r for r in scalars(str(work_dir)) if 'loss' in r]
    assert [r['iter'] for r in records] == [1, 2] and all(r['distill.loss_fpn'] > 0 for r in records)
    state = torch.load(work_dir / 'iter_2.pth', map_location='cpu', weights_only=False)['state_dict']
    phase1 = torch.load(work_dir / 'iekd_autoencoder.pth', map_location='cpu', weights_only=False)['state_dict']
    assert bool(state['autoencoder_trained'])
    keys = [k for k in state if k.startswith('distill_losses.fpn.paraphraser.')]
    assert keys and all(torch.equal(state[k], phase1[k]) for k in keys), 'the paraphraser is frozen in phase 2'


def test_at_and_ft_classification_recipes_train_on_digits(tmp_path, digits_data):
    log = train_digits_recipe('kd/tiny/at_cifar_resnet56_resnet20_digits.py', str(tmp_path / 'at'), digits_data, 2)
    records = [r for r in scalars(str(tmp_path / 'at')) if 'loss' in r]
    assert all(r[f'distill.loss_layer{i}'] > 0 for r in records for i in (1, 2, 3))
    assert 'phase 1' not in log.stdout + log.stderr
    log = train_digits_recipe('kd/tiny/ft_cifar_resnet56_resnet20_digits.py', str(tmp_path / 'ft'), digits_data, 2,
                              'custom_hooks.0.iters=2')
    assert 'IE-KD phase 1 done' in log.stdout + log.stderr
    assert all(r['distill.loss_factor'] > 0 for r in scalars(str(tmp_path / 'ft')) if 'loss' in r)
