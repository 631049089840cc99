"""The loss-balance measurement, and every full-scale detection recipe checked against its tiny variant's balance.

A weight was chosen on the embedded track, where the tiny recipes train on 64-px scenes resized to 128 x 128. Each full recipe's terms must pull as hard against the task at full resolution as at that one, on the
same networks: the share of every weighted term (its gradient norm on the distilled student modules over the task
losses') at 512 x 512 (the stand-in for 800 x 1333 that fits the suite; docs/loss_balance.md has 800 x 1333) is
within a factor of 3 of its share at 128 x 128.
"""
import copy

import pytest

from mmiekd.analysis import (build_recipe_model, load_recipe, measure_balance, recipe_batch_size,
                             recipe_input_size)
from mmiekd.analysis.loss_balance import format_table, weighted_terms

TINY = dict(size=(128, 128), batch=2)  # the tiny recipes' pipeline (Resize to 128)
FULL = dict(size=(512, 512), batch=2)  # 512 px stands in for 800 x 1333; 2 images, a COCO recipe's batch per GPU
BASE = (64, 64)  # the embedded tracks' images: the same scenes at both sizes

# Per family: (the full recipe measured, the full recipes whose terms it carries on the same networks, and the
# tiny variants of both). A FitNet recipe distils what the family's IE-KD recipe distils beside IE (checked); AT
# and FT on Faster R-CNN are measured as their own recipes (an FT term cannot be added to an IE-KD distiller).
FAMILIES = {
    'faster_rcnn': ('configs/iekd/faster_rcnn_r50_r101.py', ['configs/kd/fitnet_faster_rcnn_r50_r101.py'],
                    'configs/iekd/tiny/iekd_faster_rcnn_tiny_shapes.py', ['configs/kd/tiny/fitnet_faster_rcnn_tiny_shapes.py']),
    'faster_rcnn_at': ('configs/kd/at_faster_rcnn_r50_r101.py', [], 'configs/kd/tiny/at_faster_rcnn_tiny_shapes.py', []),
    'faster_rcnn_ft': ('configs/kd/ft_faster_rcnn_r50_r101.py', [], 'configs/kd/tiny/ft_faster_rcnn_tiny_shapes.py', []),
    'retinanet': ('configs/iekd/retinanet_r50_r101.py', ['configs/kd/fitnet_retinanet_r50_r101.py'],
                  'configs/iekd/tiny/iekd_retinanet_tiny_shapes.py', ['configs/kd/tiny/fitnet_retinanet_tiny_shapes.py']),
    'fcos': ('configs/iekd/fcos_r50_r101.py', ['configs/kd/fitnet_fcos_r50_r101.py'],
             'configs/iekd/tiny/iekd_fcos_tiny_shapes.py', ['configs/kd/tiny/fitnet_fcos_tiny_shapes.py']),
    'gfl': ('configs/iekd/gfl_r50_r101.py', ['configs/kd/fitnet_gfl_r50_r101.py'],
            'configs/iekd/tiny/iekd_gfl_tiny_shapes.py', ['configs/kd/tiny/fitnet_gfl_tiny_shapes.py']),
    'cascade_rcnn': ('configs/iekd/cascade_rcnn_r50_r101.py', ['configs/kd/fitnet_cascade_rcnn_r50_r101.py'],
                     'configs/iekd/tiny/iekd_cascade_rcnn_tiny_shapes.py',
                     ['configs/kd/tiny/fitnet_cascade_rcnn_tiny_shapes.py']),
    'rtmdet': ('configs/iekd/rtmdet_s_l.py', ['configs/kd/fitnet_rtmdet_s_l.py'],
               'configs/iekd/tiny/iekd_rtmdet_tiny_shapes.py', ['configs/kd/tiny/fitnet_rtmdet_tiny_shapes.py']),
    'retinanet_from_faster_rcnn': ('configs/iekd/retinanet_r50_faster_rcnn_r101.py',
                                   ['configs/kd/fitnet_retinanet_r50_faster_rcnn_r101.py'],
                                   'configs/iekd/tiny/iekd_retinanet_faster_rcnn_tiny_shapes.py',
                                   ['configs/kd/tiny/fitnet_retinanet_faster_rcnn_tiny_shapes.py']),
}


def term_weights(model_cfg) -> dict:
    """``{logged key: loss_weight}`` of a distiller config's weighted terms."""
    weights = {f'distill.loss_{name}': term['loss'].get('loss_weight', 1.0)
               for name, term in dict(model_cfg.get('distill') or {}).items()}
    if model_cfg.get('ie'):
        for key, part in (('ie.loss_inh', 'inheritance'), ('ie.loss_exp', 'exploration')):
            weights[key] = model_cfg['ie'].get(part, {}).get('loss_weight', 1.0)
    return weights


def family_recipe(measured: str, carried):
    """The measured recipe with the `distill` terms of the carried recipes: a FitNet recipe's terms must be the
    measured recipe's own; another method's term is added under the method's name (``at``, ``ft``)."""
    cfg = load_recipe(measured)
    distill = copy.deepcopy(dict(cfg.model.get('distill') or {}))
    for path in carried:
        other = load_recipe(path).model
        assert other.student == cfg.model.student and other.teacher == cfg.model.teacher, path
        method = path.split('/')[-1].split('_')[0]
        for name, term in dict(other.distill).items():
            if method == 'fitnet' and name in distill:
                assert dict(term) == dict(distill[name]), f'{path}: `distill.{name}` differs from {measured}\'s'
            else:
                distill[name if method == 'fitnet' else method] = term
    cfg.model.distill = distill
    return cfg


def compared_pairs(tiny, full, min_positions: int = 16):
    """``{(term, level): (tiny row, full row)}``: every term's total and each of its levels whose map at the small
    size has at least ``min_positions`` positions (4 x 4). BatchNorm in the IE encoders and the FT translator
    normalises each channel over N x H x W values; with the 2 x 2 and 1 x 1 maps that P6/P7 have at 128 px (16 or
    8 or 2 values per channel in a batch of 2) its gradient is dominated by the batch statistics, not by the term (on
    Faster R-CNN at 64 px, P6's 1 x 1 map gave 60 times the gradient of P3's); a total that includes such a level
    is left out for the same reason. The tiny recipes do not distil such maps either (IE-KD tiny: P2-P4)."""
    pairs = {}
    for term in dict.fromkeys(r.term for r in tiny):
        t_rows = [r for r in tiny if r.term == term]
        f_rows = {r.level: r for r in full if r.term == term}
        levels = [r for r in t_rows if r.level is not None]
        valid = [r for r in levels if r.map_size[0] * r.map_size[1] >= min_positions]
        if len(valid) == len(levels):
            pairs[(term, None)] = (t_rows[0], f_rows[None])
        for row in valid:
            pairs[(term, row.level)] = (row, f_rows[row.level])
    return pairs


# AT on the FPN does not meet the check with any one weight (measured, docs/loss_balance.md): from 128 to 512 px its
# share grows 11.5x on P2 and 6.7x on P3 but falls to 0.6x on P5, a spread wider than the 9x that one weight can
# fit. Strict: when it starts to pass, this marker must go.
AT_SPREAD = pytest.mark.xfail(strict=True, reason='AT: per-level shares move apart (P2 x11.5, P5 x0.6); one weight '
                              'cannot keep them all within 3x (docs/loss_balance.md)')


@pytest.mark.parametrize('family', [pytest.param(f, marks=AT_SPREAD) if f == 'faster_rcnn_at' else f
                                    for f in sorted(FAMILIES)])
def test_full_recipe_keeps_the_tiny_balance(family):
    """The full recipe at 512 px, with its weights, against the same networks at 128 px with the tiny variant's
    weights (where a full recipe's weight differs from its tiny variant's, the recipe says why)."""
    measured, carried, tiny_measured, tiny_carried = FAMILIES[family]
    cfg = family_recipe(measured, carried)
    full_weights = term_weights(cfg.model)
    tiny_weights = term_weights(family_recipe(tiny_measured, tiny_carried).model)
    assert set(tiny_weights) == set(full_weights)
    model = build_recipe_model(cfg, seed=0)
    tiny = measure_balance(model, base_size=BASE, seed=0, **TINY)
    full = measure_balance(model, base_size=BASE, seed=0, **FULL)
    pairs = compared_pairs(tiny, full)
    assert {term for term, _ in pairs} == set(weighted_terms(model))  # every term is checked
    ratios = {key: f.share / (t.share * tiny_weights[key[0]] / full_weights[key[0]]) for key, (t, f) in pairs.items()}
    bad = {key: round(r, 3) for key, r in ratios.items() if not 1 / 3 <= r <= 3}
    assert not bad, f'{family}: share at 512 / tiny share at 128 out of [1/3, 3]: {bad}\n{format_table(tiny + full)}'


def test_the_authors_form_fails_the_same_check():
    """The check can fail: IE-KD with the authors' unit-L2 distance loses its pull at full resolution."""
    cfg = load_recipe('configs/iekd/faster_rcnn_r50_r101.py',
                      {'model.ie.inheritance.normalize': 'l2', 'model.ie.exploration.normalize': 'l2'})
    model = build_recipe_model(cfg, seed=0)
    tiny = {r.term: r.share for r in measure_balance(model, base_size=BASE, seed=0, **TINY) if r.level is None}
    full = {r.term: r.share for r in measure_balance(model, base_size=BASE, seed=0, **FULL) if r.level is None}
    assert full['ie.loss_inh'] < tiny['ie.loss_inh'] / 3 and full['ie.loss_exp'] < tiny['ie.loss_exp'] / 3
    assert 1 / 3 <= full['distill.loss_fpn'] / tiny['distill.loss_fpn'] <= 3  # FitNet's mean is scale-free


def test_rows_per_level_and_share():
    cfg = load_recipe('configs/iekd/tiny/iekd_faster_rcnn_tiny_shapes.py')
    model = build_recipe_model(cfg, seed=0)
    rows = measure_balance(model, (64, 64), batch=2, seed=0)
    by_term = {}
    for row in rows:
        by_term.setdefault(row.term, []).append(row)
    assert list(by_term) == ['distill.loss_fpn', 'ie.loss_inh', 'ie.loss_exp']
    assert [r.level for r in by_term['distill.loss_fpn']] == [None, 0, 1, 2, 3, 4]  # five FPN levels
    assert [r.level for r in by_term['ie.loss_inh']] == [None, 0, 1, 2]  # the recipe's ie.levels (P2-P4)
    for rows_of_term in by_term.values():
        total, levels = rows_of_term[0], rows_of_term[1:]
        assert total.value == pytest.approx(sum(r.value for r in levels), rel=1e-5)
        assert all(r.task_grad_norm == total.task_grad_norm > 0 for r in levels)
        assert total.share == pytest.approx(total.grad_norm / total.task_grad_norm)
    # the student's own modules carry the gradient; the teacher's get none
    assert all(p.grad is None for p in model.teacher.parameters())


def test_recipe_size_and_batch_are_read_from_the_pipeline():
    assert recipe_input_size(load_recipe('configs/iekd/faster_rcnn_r50_r101.py')) == (800, 1333)
    assert recipe_input_size(load_recipe('configs/iekd/rtmdet_s_l.py')) == (640, 640)
    assert recipe_input_size(load_recipe('configs/iekd/tiny/iekd_faster_rcnn_tiny_shapes.py')) == (128, 128)
    assert recipe_input_size(load_recipe('configs/iekd/cifar100_resnet56_resnet20.py')) == (32, 32)
    assert recipe_batch_size(load_recipe('configs/iekd/faster_rcnn_r50_r101.py')) == 2
    assert recipe_batch_size(load_recipe('configs/iekd/tiny/iekd_faster_rcnn_tiny_shapes.py')) == 4


def test_a_recipe_without_weighted_terms_is_refused():
    model = build_recipe_model(load_recipe('configs/sskd/tiny/sskd_faster_rcnn_tiny_shapes.py'))
    with pytest.raises(ValueError, match='no weighted distillation term'):
        measure_balance(model, (64, 64), batch=1)
