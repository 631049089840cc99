"""Bad IAKD input is rejected at build time, naming the config key and what was expected.

The other items of issue 8 (unmatched channels, unknown module names, a teacher checkpoint of another
architecture, SSKD stage lists) are covered in test_single_teacher_distiller.py, test_sskd_distiller.py and
test_iakd_distiller.py; loss weights in tests/models/losses/test_loss_weight.py.
"""
import warnings

import pytest
import torch
from conftest import tiny_classifier

from mmiekd.engine.hooks import IAKDSwapHook
from mmiekd.models import IAKDDistiller

STAGES = ['backbone.conv1', 'backbone.bn1'] + [f'backbone.layer{i}' for i in range(1, 5)]


def build(blocks=None, teacher=None, **kwargs):
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return IAKDDistiller(student=tiny_classifier(4), teacher=teacher or tiny_classifier(4),
                             blocks=blocks or [dict(student=n, teacher=n) for n in STAGES],
                             input_shape=(3, 32, 32), **kwargs)


# ---------------------------------------------------------------- block pairs whose shapes differ (item 5)
def test_block_input_mismatch_names_the_pair_both_shapes_and_in_connector():
    # The teacher's layer1 takes 8 channels, the student's 4; the output side is bridged.
    blocks = [dict(student='backbone.layer1', teacher='backbone.layer1',
                   out_connector=dict(type='mmiekd.ConvConnector', in_channels=8, out_channels=4))]
    with pytest.raises(ValueError, match=r'^`blocks\[0\]`: the student block "backbone.layer1" takes \(4, 32, 32\) '
                                         r'but the teacher block "backbone.layer1" takes \(8, 32, 32\).*'
                                         r'`blocks\[0\].in_connector`'):
        build(blocks, teacher=tiny_classifier(8))


def test_block_output_mismatch_names_the_pair_both_shapes_and_out_connector():
    blocks = [dict(student='backbone.layer1', teacher='backbone.layer1',
                   in_connector=dict(type='mmiekd.ConvConnector', in_channels=4, out_channels=8))]
    with pytest.raises(ValueError, match=r'^`blocks\[0\]`: the teacher block "backbone.layer1" gives \(8, 32, 32\) '
                                         r'but the student block "backbone.layer1" gives \(4, 32, 32\).*'
                                         r'`blocks\[0\].out_connector`'):
        build(blocks, teacher=tiny_classifier(8))


def test_block_of_another_stage_is_rejected():
    # Same widths, but layer2 halves the resolution and doubles the channels: not a replacement of layer1.
    with pytest.raises(ValueError, match=r'`blocks\[0\]`: the teacher block "backbone.layer2" gives \(8, 16, 16\) '
                                         r'but the student block "backbone.layer1" gives \(4, 32, 32\)'):
        build([dict(student='backbone.layer1', teacher='backbone.layer2')])


@pytest.mark.parametrize('block, error, pattern', [
    (dict(student='backbone.layer1', teacher='backbone.layer9'), KeyError,
     r'blocks\[0\].teacher.*no module named "backbone.layer9"'),
    (dict(student='backbone.layer1'), KeyError, r'blocks\[0\].*missing keys \[\'teacher\'\]'),
    (dict(student='backbone.layer1', teacher='backbone.layer1', connector=None), KeyError,
     r'blocks\[0\].*unknown keys \[\'connector\'\]'),
])
def test_bad_block_entries_are_rejected(block, error, pattern):
    with pytest.raises(error, match=pattern):
        build([block])


def test_a_student_block_listed_twice_is_rejected():
    with pytest.raises(ValueError, match=r'`blocks\[1\].student`: "backbone.layer1" is already the student block '
                                         r'of `blocks\[0\]`'):
        build([dict(student='backbone.layer1', teacher='backbone.layer1')] * 2)


def test_no_blocks_is_rejected():
    with pytest.raises(ValueError, match='`blocks` must list at least one'), warnings.catch_warnings():
        warnings.simplefilter('ignore')
        IAKDDistiller(student=tiny_classifier(4), teacher=tiny_classifier(4), blocks=[])


# ---------------------------------------------------------------- swap probability outside [0, 1] (item 6)
BAD_PROBABILITIES = [(-0.1, ValueError, r'-0.1'), (1.5, ValueError, r'1.5'), (float('nan'), ValueError, 'nan'),
                     (float('inf'), ValueError, 'inf'), ('0.5', TypeError, r"'0.5' \(str\)"),
                     (True, TypeError, r'True \(bool\)'), (None, TypeError, r'None \(NoneType\)')]


@pytest.mark.parametrize('value, error, shown', BAD_PROBABILITIES)
def test_bad_swap_prob_is_rejected_by_the_distiller(value, error, shown):
    with pytest.raises(error, match=rf'^`swap_prob` must be a probability in \[0, 1\], got {shown}$'):
        build(swap_prob=value)


def test_set_swap_prob_rejects_a_bad_value_and_keeps_the_old_one():
    model = build(swap_prob=0.5)
    with pytest.raises(ValueError, match=r'`swap_prob` must be a probability in \[0, 1\], got 1.01'):
        model.set_swap_prob(1.01)
    assert float(model.swap_prob) == 0.5
    for good in (0, 1, 0.0, 1.0, 0.25):
        model.set_swap_prob(good)
        assert float(model.swap_prob) == float(good)


@pytest.mark.parametrize('key', ['p_start', 'p_end'])
@pytest.mark.parametrize('value, error, shown', BAD_PROBABILITIES)
def test_bad_probabilities_are_rejected_by_the_hook(key, value, error, shown):
    with pytest.raises(error, match=rf'^`IAKDSwapHook.{key}` must be a probability in \[0, 1\], got {shown}$'):
        IAKDSwapHook(**{key: value})


@pytest.mark.parametrize('kwargs, error, pattern', [
    # gamma > 1 would raise p above p_start (and above 1) in the step schedule.
    (dict(gamma=2.0), ValueError, r'^`IAKDSwapHook.gamma` must be a factor in \[0, 1\], got 2.0$'),
    (dict(gamma=-0.5), ValueError, r'^`IAKDSwapHook.gamma` must be a factor in \[0, 1\], got -0.5$'),
    (dict(gamma='0.1'), TypeError, r'^`IAKDSwapHook.gamma` must be a factor in \[0, 1\]'),
    (dict(schedule='exp'), ValueError, r'^`IAKDSwapHook.schedule` must be one of .*constant.*got \'exp\''),
    (dict(end=0), ValueError, r'^`IAKDSwapHook.end` must be an integer >= 1 or None, got 0$'),
    (dict(end=2.5), TypeError, r'^`IAKDSwapHook.end` must be an integer >= 1 or None, got 2.5$'),
    (dict(milestones=[2, -1]), ValueError, r'^`IAKDSwapHook.milestones\[1\]` must be an integer >= 0, got -1$'),
    (dict(milestones=['3']), TypeError, r'^`IAKDSwapHook.milestones\[0\]` must be an integer >= 0'),
    (dict(milestones=5), TypeError, r'^`IAKDSwapHook.milestones` must be a list'),
    (dict(by_epoch='yes'), TypeError, r'^`IAKDSwapHook.by_epoch` must be True or False'),
])
def test_bad_schedule_parameters_are_rejected_by_the_hook(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        IAKDSwapHook(**kwargs)


def test_every_schedule_stays_in_the_unit_interval():
    for schedule in ('constant', 'linear', 'cosine', 'step'):
        for p_start, p_end in ((0.0, 1.0), (1.0, 0.0), (0.3, 0.3)):
            hook = IAKDSwapHook(p_start=p_start, p_end=p_end, schedule=schedule, milestones=(1, 3), gamma=1.0)
            assert all(0.0 <= hook.value(i, 5) <= 1.0 for i in range(8))


@pytest.mark.parametrize('weight', [-1.0, float('nan'), float('inf')])
def test_sskd_loss_weight_and_iekd_weight_gamma_must_be_finite_and_non_negative(weight):
    from mmiekd.engine.hooks import IEKDAutoEncoderHook
    from test_sskd_distiller import build, stages
    with pytest.raises(ValueError, match='`weight_gamma` of mmiekd.IEKDAutoEncoderHook must be a finite number'):
        IEKDAutoEncoderHook(iters=1, weight_gamma=weight)
    with pytest.raises(ValueError, match='`loss_weight` of mmiekd.SSKDDistiller must be a finite number'):
        build(stages(), loss_weight=weight)
