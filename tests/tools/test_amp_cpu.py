"""``--amp`` on CPU (bf16 autocast) for every tiny detection recipe, through tools/train.py; and a teacher run
in bf16 from the config."""
import math

import pytest
from conftest import run_tool, tiny_recipe_config, train_digits_recipe
from test_sskd_recipes_train import SHORT_STAGES
from test_train_test_tools import scalars

RECIPES = {
    'fitnet': ('kd/tiny/fitnet_faster_rcnn_tiny_shapes.py', ''),
    'iekd': ('iekd/tiny/iekd_faster_rcnn_tiny_shapes.py',
             "custom_hooks = [dict(type='mmiekd.IEKDAutoEncoderHook', iters=1)]\n"),
    'sskd': ('sskd/tiny/sskd_faster_rcnn_tiny_shapes.py',
             SHORT_STAGES.replace('length=2', 'length=1').replace('head_length=2', 'head_length=1')),
    'iakd': ('iakd/tiny/iakd_faster_rcnn_tiny_shapes.py',
             "custom_hooks = [dict(type='mmiekd.IAKDSwapHook', p_start=1.0, p_end=1.0, end=2)]\n"),
}


@pytest.mark.parametrize('method', sorted(RECIPES))
def test_amp_trains_every_detection_recipe_on_cpu(method, tmp_path, shapes_data):
    recipe, extra = RECIPES[method]
    iters = 5 if method == 'sskd' else 2  # SSKD: through its 4 stages and the head phase
    config = tiny_recipe_config(tmp_path / 'cfg.py', recipe, shapes_data, iters, extra)
    work_dir = str(tmp_path / 'work')
    extra_args = ['--cfg-options', 'model.teacher_precision=bf16'] if method in ('fitnet', 'iakd') else []
    proc = run_tool('tools/train.py', config, '--work-dir', work_dir, '--amp', *extra_args)
    assert 'CPUAutocastOptimWrapper' in proc.stdout + proc.stderr
    records = [r for r in scalars(work_dir) if 'loss' in r]
    assert len(records) == iters and all(math.isfinite(r['loss']) for r in records)
    # Validation ran through (a 2-iteration model may not detect anything yet: no metric is asserted).
    assert 'Iter(val) [2/2]' in proc.stdout + proc.stderr


# The families the detection test above does not cover (IE-KD, SSKD and IAKD are the same code on both tasks).
CLS_RECIPES = {
    'kd': ('kd/tiny/kd_cifar_resnet56_resnet20_digits.py', ()),
    'iedml': ('iekd/tiny/iedml_cifar_resnet32_digits.py', ()),
}


@pytest.mark.parametrize('method', sorted(CLS_RECIPES))
def test_amp_trains_every_classification_recipe_family_on_cpu(method, tmp_path, digits_data):
    """IE-DML's optim_wrapper is constructor-style (one wrapper per network): --amp converts each."""
    recipe, options = CLS_RECIPES[method]
    work_dir = str(tmp_path / 'work')
    proc = train_digits_recipe(recipe, work_dir, digits_data, 2, *options, batch_size=4, flags=('--amp', ))
    assert 'CPUAutocastOptimWrapper' in proc.stdout + proc.stderr
    records = [r for r in scalars(work_dir) if 'iter' in r and any('loss' in k for k in r)]
    assert len(records) == 2
    assert all(math.isfinite(v) for r in records for k, v in r.items() if 'loss' in k)
