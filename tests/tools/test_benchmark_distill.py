"""tools/analysis_tools/benchmark_distill.py runs on every tiny recipe and reports every figure (no timing is
asserted: the figures of one step on a shared machine are noise, only their presence and sign are checked)."""
import argparse
import json
import os.path as osp
import sys

import pytest
from conftest import ROOT

sys.path.insert(0, osp.join(ROOT, 'tools', 'analysis_tools'))

COMMON = {'config', 'method', 'distiller', 'device', 'batch', 'size', 'iters', 'warmup', 'teacher_dtype',
          'peak_rss_mb'}
STEP = {'distill_s', 'student_s', 'ratio', 'limit_ratio', 'over_limit'}
KEYS = {
    'single_teacher': COMMON | STEP | {'teacher_forward_s'},
    'iekd': COMMON | STEP | {'teacher_forward_s', 'method_s', 'method_share', 'limit_with_method_ratio',
             'over_limit_with_method'},
    'iakd': COMMON | STEP | {'teacher_forward_s', 'swap_prob', 'swap_prob_source', 'swapped_blocks', 'block_draws',
                             'block_forward_s', 'swapped_blocks_forward_s'},
    'iedml': COMMON | STEP | {'peer_s', 'method_s', 'method_share', 'limit_with_method_ratio',
                              'over_limit_with_method'},
    'sskd': COMMON | {'stages'},
}
STAGE_KEYS = {'stage', 'step_s', 'student_s', 'teacher_forward_s', 'ratio', 'limit_ratio', 'over_limit'}

# Detection keeps 2 images: at 64 px the FPN's P6 level is 1x1, and IE-KD's encoders (BatchNorm in training
# mode) need more than one value per channel. Classification takes 1 to keep the file's run time short.
DET = ['--size', '64', '64', '--batch', '2', '--iters', '1', '--warmup', '0']
CLS = ['--size', '32', '32', '--batch', '1', '--iters', '1', '--warmup', '0']  # the digits recipes' 32 px images
RECIPES = [
    # (config under configs/, arguments, method)
    ('kd/tiny/fitnet_faster_rcnn_tiny_shapes.py', DET + ['--teacher-dtype', 'fp32'], 'single_teacher'),
    ('iekd/tiny/iekd_faster_rcnn_tiny_shapes.py', DET, 'iekd'),
    ('sskd/tiny/sskd_faster_rcnn_tiny_shapes.py', DET, 'sskd'),
    ('iakd/tiny/iakd_faster_rcnn_tiny_shapes.py', DET, 'iakd'),
    ('kd/tiny/kd_cifar_resnet56_resnet20_digits.py', CLS, 'single_teacher'),
    ('iekd/tiny/iekd_cifar_resnet56_resnet20_digits.py', CLS, 'iekd'),
    ('iekd/tiny/iedml_cifar_resnet32_digits.py', CLS, 'iedml'),
    ('sskd/tiny/sskd_cifar_resnet56_resnet20_digits.py', CLS, 'sskd'),
    # p = 1 swaps every block: the count is then known.
    ('iakd/tiny/iakd_cifar_resnet56_resnet20_digits.py', CLS + ['--swap-prob', '1'], 'iakd'),
]


@pytest.mark.parametrize('config,extra,method', RECIPES, ids=[osp.basename(r[0])[:-3] for r in RECIPES])
def test_reports_every_figure(tmp_path, config, extra, method):
    import benchmark_distill
    out = tmp_path / 'result.json'
    result = benchmark_distill.main([osp.join(ROOT, 'configs', config), '--json', str(out)] + extra)
    assert json.loads(out.read_text()) == result
    assert set(result) == KEYS[method]
    assert result['method'] == method and result['teacher_dtype'] == 'fp32' and result['peak_rss_mb'] > 0
    if method == 'sskd':
        stages = result['stages']
        assert [s['stage'] for s in stages] == [f'stage {i + 1}' for i in range(len(stages) - 1)] + ['head phase']
        assert len(stages) == (5 if 'faster_rcnn' in config else 4)  # 4 and 3 backbone stages
        for stage in stages:
            assert set(stage) == STAGE_KEYS
            assert stage['step_s'] > 0 and stage['student_s'] > 0 and stage['ratio'] > 0
            assert stage['limit_ratio'] >= 1
        assert all(s['teacher_forward_s'] > 0 for s in stages[:-1]) and stages[-1]['teacher_forward_s'] == 0
        return
    assert result['distill_s'] > 0 and result['student_s'] > 0 and result['ratio'] > 0
    assert result['limit_ratio'] > 1
    if method in ('single_teacher', 'iekd'):
        assert result['teacher_forward_s'] > 0
    if method == 'iekd':
        assert result['method_s'] > 0 and result['limit_with_method_ratio'] > result['limit_ratio']
        assert result['method_share'] == pytest.approx(result['method_s'] / result['distill_s'])
    if method == 'iedml':
        assert result['peer_s'] > 0 and result['method_s'] > 0
        assert result['limit_with_method_ratio'] == pytest.approx(
            (result['student_s'] + result['peer_s'] + result['method_s']) / result['student_s'])
    if method == 'iakd':
        assert result['teacher_forward_s'] >= 0  # 0: these recipes have no term that runs the whole teacher
        assert result['block_draws'] > 0 and 0 <= result['swapped_blocks'] <= result['block_draws']
        assert all(s > 0 for s in result['block_forward_s'])
        if '--swap-prob' in extra:
            assert result['swap_prob'] == 1 and result['swap_prob_source'] == '--swap-prob'
            assert result['swapped_blocks'] == result['block_draws']
            assert result['swapped_blocks_forward_s'] > 0
        else:
            assert result['swap_prob'] == 0.5 and result['swap_prob_source'] == 'recipe'


class _Old:
    def __init__(self, student, teacher, teacher_ckpt=None):
        pass


class _OldChild(_Old):
    def __init__(self, blocks, **kwargs):
        super().__init__(**kwargs)


class _New:
    def __init__(self, student, teacher, teacher_ckpt=None, teacher_precision=None):
        pass


class _NewChild(_New):
    def __init__(self, blocks, **kwargs):
        super().__init__(**kwargs)


def test_accepts_argument_follows_kwargs_up_the_mro():
    from benchmark_distill import accepts_argument
    assert accepts_argument(_OldChild, 'teacher_ckpt') and accepts_argument(_OldChild, 'blocks')
    assert not accepts_argument(_OldChild, 'teacher_precision')
    assert accepts_argument(_NewChild, 'teacher_precision')


def _cfg(**model):
    from mmengine.config import ConfigDict
    return ConfigDict(model=dict(type='X', student='s', teacher='t', teacher_ckpt='t.pth', **model))


def test_teacher_dtype_is_passed_where_supported():
    from benchmark_distill import distiller_cfg
    args = argparse.Namespace(teacher_dtype='bf16')
    model = distiller_cfg(_cfg(), args, _NewChild)
    assert model['teacher_precision'] == 'bf16' and model['teacher_ckpt'] is None
    assert distiller_cfg(_cfg(), argparse.Namespace(teacher_dtype='fp32'), _New)['teacher_precision'] is None
    # Without --teacher-dtype the recipe's own setting stays.
    assert distiller_cfg(_cfg(teacher_precision='fp16'), argparse.Namespace(teacher_dtype=None),
                         _New)['teacher_precision'] == 'fp16'


def test_teacher_dtype_unsupported_says_so():
    from benchmark_distill import distiller_cfg
    assert 'teacher_precision' not in distiller_cfg(_cfg(), argparse.Namespace(teacher_dtype='fp32'), _OldChild)
    with pytest.raises(SystemExit, match='_OldChild has no `teacher_precision` argument'):
        distiller_cfg(_cfg(), argparse.Namespace(teacher_dtype='fp16'), _OldChild)


def test_swap_prob_is_refused_for_other_methods():
    import benchmark_distill
    with pytest.raises(SystemExit, match='--swap-prob applies to IAKD recipes only'):
        benchmark_distill.main([osp.join(ROOT, 'configs', 'kd', 'tiny', 'fitnet_faster_rcnn_tiny_shapes.py'),
                                '--swap-prob', '0.3'])
