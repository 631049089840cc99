"""tools/analysis_tools/preview_schedule.py: every shipped recipe builds its real models and keeps, dry-run, the
whole schedule its comments and README promise (LR of every iteration, SSKD stages, IAKD's p, IE-KD phase 1), resume from
checkpoint points, and the old SSKD LR-restart defect caught."""
import glob
import json
import math
import os.path as osp
import sys

import pytest
from conftest import ROOT
from mmengine.config import Config

sys.path.insert(0, osp.join(ROOT, 'tools', 'analysis_tools'))
import preview_schedule as ps  # noqa: E402

from mmiekd.engine.hooks import SSKDStageHook  # noqa: E402
from mmiekd.utils import register_all_modules  # noqa: E402

RECIPES = sorted(osp.relpath(p, osp.join(ROOT, 'configs'))
                 for p in glob.glob(osp.join(ROOT, 'configs', '*', '**', '*.py'), recursive=True)
                 if '/_base_/' not in p)


# ----------------------------------------------------------------------------------------- the promises
# What each schedule family promises (the recipes' comments, configs/*/README.md, the upstream configs they
# inherit), in iterations of the dry run's epoch length `ipe` (small, so that the test is quick; epoch-based
# promises scale with it). A phase schedule: `warmup` (iterations, start factor), `decays` (iterations after
# which the LR is multiplied by 0.1), `cosine` (begin, T_max, eta_min ratio), all counted from the phase start.
def family(recipe: str) -> dict:
    name = osp.basename(recipe)
    # SSKD's tiny recipes: their stages, then the head phase with the student alone's whole schedule.
    stages = 150 if recipe.startswith('sskd/') and 'rtmdet' not in name else 0
    if '/tiny/' in recipe and 'digits' in name:
        return dict(ipe=90, iters=200 + stages, decays=[150], unit=1, name='tiny classification (200 iterations)')
    if '/tiny/' in recipe:
        return dict(ipe=150, iters=300 + 8 * stages // 3, warmup=(50, 0.1), decays=[240], unit=1,
                    name='tiny detection (300 iterations)')
    if 'rtmdet' in name:
        ipe = 100
        return dict(ipe=ipe, iters=300 * ipe, warmup=(1000, 1e-5), cosine=(150 * ipe, 150 * ipe, 0.05), unit=ipe,
                    name='mmdet RTMDet 300 epochs')
    # SSKD's full recipes: their backbone stages (epochs), then the head phase with the student alone's schedule.
    sskd = recipe.startswith('sskd/')
    if 'imagenet' in name:
        return dict(ipe=20, iters=(100 + 40 * sskd) * 20, decays=[30 * 20, 60 * 20, 90 * 20], unit=20,
                    name='ImageNet 100 epochs')
    if 'cifar' in name:
        return dict(ipe=50, iters=(160 + 120 * sskd) * 50, decays=[80 * 50, 120 * 50], unit=50,
                    name='CIFAR 160 epochs')
    return dict(ipe=600, iters=(12 + 4 * sskd) * 600, warmup=(500, 0.001), decays=[8 * 600, 11 * 600], unit=600,
                name='COCO 1x (12 epochs)')


def method_promise(recipe: str, fam: dict) -> dict:
    """The method's own schedule: SSKD stages, IAKD's p, IE-KD/FT phase 1 (lengths in iterations)."""
    unit, name, tiny = fam['unit'], osp.basename(recipe), '/tiny/' in recipe
    digits = 'digits' in name
    if recipe.startswith('sskd/'):
        if tiny and digits:  # 3 x 50 iterations, then the student's 200 (LR /10 at 150), each phase restarted
            return dict(stages=[50, 50, 50], head=200, restart=True, phase=dict(decays=[150]))
        if tiny and 'rtmdet' not in name:  # 4 x 100, then the student's 300 (warm-up 50, /10 at 240), restarted
            return dict(stages=[100] * 4, head=300, restart=True, phase=dict(warmup=(50, 0.1), decays=[240]))
        if tiny:  # RTMDet: 4 x 40 + 140 iterations; the run's one schedule (no restart)
            return dict(stages=[40] * 4, head=140, restart=False, phase=None)
        if 'cifar' in name:  # 3 x 40 epochs, then the student's 160 (/10 at 80 and 120), each phase restarted
            return dict(stages=[40 * unit] * 3, head=160 * unit, restart=True,
                        phase=dict(decays=[80 * unit, 120 * unit]))
        if 'imagenet' in name:  # 4 x 10 epochs, then the student's 100 (/10 every 30), each phase restarted
            return dict(stages=[10 * unit] * 4, head=100 * unit, restart=True,
                        phase=dict(decays=[30 * unit, 60 * unit, 90 * unit]))
        if 'rtmdet' in name:  # 4 x 10 + 260 epochs; each phase warms up, cosine over its epochs 130-260
            return dict(stages=[10 * unit] * 4, head=260 * unit, restart=True,
                        phase=dict(warmup=(1000, 1e-5), cosine=(130 * unit, 130 * unit, 0.05)))
        # COCO: 4 x 1 epochs, then the student's 1x (12 epochs); each phase warms up for 500 iterations; the head
        # phase decays after its epochs 8 and 11
        return dict(stages=[unit] * 4, head=12 * unit, restart=True,
                    phase=dict(warmup=(500, 0.001), decays=[8 * unit, 11 * unit]))
    if recipe.startswith('iakd/'):
        # p from 0.5 to 0 (linear), at 0 from `end`: before the last LR drop, so that the pure student trains
        # at more than the last LR.
        if tiny:
            return dict(p_zero=100 if digits else 150)
        ends = dict(cifar=100, faster_rcnn=9, imagenet=80, rtmdet=280)
        return dict(p_zero=next(v for k, v in ends.items() if k in name) * unit)
    if (recipe.startswith('iekd/') and 'iedml' not in name and 'teachers/' not in recipe) or \
            osp.basename(recipe).startswith('ft_'):
        if tiny:
            return dict(phase1=50 if digits else 100)
        return dict(phase1=(30 if 'cifar' in name else 1) * unit)  # CIFAR: the authors' 30 epochs
    return {}


def phase_lr(i: int, base: float, warmup=None, decays=(), cosine=None) -> float:
    """The LR at iteration ``i`` of a phase, in closed form (MMEngine's LinearLR reaches 1 at end - 1)."""
    factor = 1.0
    if warmup is not None:
        length, start = warmup
        factor = start + (1 - start) * min(i, length - 1) / (length - 1)
    factor *= 0.1**sum(i >= d for d in decays)
    lr = base * factor
    if cosine is not None:
        begin, t_max, ratio = cosine
        if i >= begin:
            eta = base * ratio
            lr = eta + (base * factor - eta) * (1 + math.cos(math.pi * min(i - begin, t_max) / t_max)) / 2
    return lr


def per_iteration(doc: dict, key: str, index=None) -> list:
    """Values of every training iteration, from the timeline's entries (phase 1 left out)."""
    entries = [e for e in doc['timeline'] if e.get('ie_phase') != 1]
    values, j = [], 0
    for i in range(doc['max_iters']):
        while j + 1 < len(entries) and entries[j + 1]['iter'] <= i:
            j += 1
        value = entries[j].get(key)
        values.append(value[index] if index is not None and value is not None else value)
    return values


def close(a: float, b: float) -> bool:
    return abs(a - b) <= 2e-3 * max(abs(a), abs(b)) + 1e-12


def assert_lr(doc: dict, recipe: str, fam: dict, method: dict) -> None:
    base = doc['lr_groups'][0]['initial_lr']
    lrs = per_iteration(doc, 'lr', 0)
    sskd = method.get('stages')
    if sskd and method['restart']:
        starts = [sum(sskd[:k]) for k in range(len(sskd) + 1)]
        phase = method['phase']
        expected = [phase_lr(i - max(s for s in starts if s <= i), base, **phase) for i in range(len(lrs))]
    elif sskd and method['phase'] == dict():
        expected = [base] * len(lrs)
    else:
        expected = [phase_lr(i, base, fam.get('warmup'), fam.get('decays', ()), fam.get('cosine'))
                    for i in range(len(lrs))]
    wrong = [i for i, (a, b) in enumerate(zip(lrs, expected)) if not close(a, b)]
    assert not wrong, (f'{recipe} ({fam["name"]}): the LR at iteration {wrong[0]} is {lrs[wrong[0]]}, the '
                       f'promise {expected[wrong[0]]:.4g} ({len(wrong)} iterations differ)')
    # Every other parameter group follows the same schedule at its own initial LR.
    for g, group in enumerate(doc['lr_groups'][1:], start=1):
        ratio = group['initial_lr'] / base
        others = per_iteration(doc, 'lr', g)
        assert all(close(o, ratio * a) for o, a in zip(others, lrs)), f'{recipe}: LR group {g}'


def check_build(path: str, model) -> None:
    """The recipe inherits an upstream runtime, selects mmiekd's runner, and its real model (built by the dry
    run, teacher weights not loaded) freezes the teacher and distils something."""
    register_all_modules(init_default_scope=False)
    raw = Config.fromfile(path)
    assert raw.get('default_scope') in ('mmdet', 'mmpretrain'), 'recipes inherit an upstream runtime'
    assert raw.train_dataloader and raw.optim_wrapper and raw.train_cfg
    if hasattr(model, 'teacher'):
        assert raw.get('runner_type') == 'mmiekd.DistillRunner', 'recipes select the crash-safe runner'
        assert all(not p.requires_grad for p in model.teacher.parameters())
        assert getattr(model, 'terms', None) or hasattr(model, 'ie_student') or hasattr(model, 'stages') \
            or hasattr(model, 'blocks'), 'a distillation recipe distils something'


def check_recipe(recipe: str, cfg_options=None) -> dict:
    fam, path = family(recipe), osp.join(ROOT, 'configs', recipe)
    method = method_promise(recipe, fam)
    cfg = ps.load(path, cfg_options)
    pieces = ps.Pieces(cfg, fam['ipe'])
    if cfg_options is None:
        check_build(path, pieces.model)
    doc = ps.preview(cfg, fam['ipe'], pieces=pieces)
    assert doc['max_iters'] == fam['iters'], f'{recipe}: {doc["max_iters"]} iterations, promised {fam["iters"]}'
    assert_lr(doc, recipe, fam, method)
    assert doc['validations'][-1]['iter'] == doc['max_iters'] and doc['checkpoints'][-1]['iter'] == doc['max_iters']
    if 'momentum' in doc['timeline'][0]:
        assert len(set(map(tuple, per_iteration(doc, 'momentum')))) == 1, f'{recipe}: momentum is constant'
    if 'stages' in method:
        stages = per_iteration(doc, 'stage')
        bounds = [sum(method['stages'][:k]) for k in range(len(method['stages']) + 1)]
        expected = [next(k for k in range(len(bounds) - 1, -1, -1) if i >= bounds[k]) + 1 for i in range(len(stages))]
        expected = ['head' if k == len(bounds) else k for k in expected]
        assert stages == expected, f'{recipe}: SSKD stages at the promised lengths {method["stages"]} + head'
        assert doc['max_iters'] - bounds[-1] == method['head']
        changes = [e for e in doc['timeline'] if 'trainable' in e]
        for k, entry in enumerate(changes[:-1]):
            assert any(n.startswith('student.backbone.') and n.endswith(str(k + 1)) for n in entry['trainable'])
        assert not any(n.startswith('student.backbone') for n in changes[-1]['trainable']), 'head phase'
    else:
        assert not any('stage' in e for e in doc['timeline'])
    if 'p_zero' in method:
        p = per_iteration(doc, 'swap_prob')
        zero = method['p_zero']
        assert p[0] == 0.5 and p[zero - 1] > 0 and p[zero] == 0 and set(p[zero:]) == {0}, \
            f'{recipe}: p reaches 0 at iteration {p.index(0) if 0 in p else None}, promised {zero}'
        lrs = per_iteration(doc, 'lr', 0)
        drops = [i for i in range(1, len(lrs)) if lrs[i] < 0.5 * lrs[i - 1]]
        if drops:
            assert zero < drops[-1], f'{recipe}: p reaches 0 at {zero}, not before the last LR drop ({drops[-1]})'
    if 'phase1' in method:
        assert doc.get('ie_phase1_iters') == method['phase1'], f'{recipe}: IE-KD phase 1 length'
        first = doc['timeline'][0]
        assert first['ie_phase'] == 1 and first['iter'] == 0
        after = [e for e in doc['timeline'] if e.get('ie_phase') != 1]
        assert after[0]['iter'] == 0  # phase 2 is the whole training loop, from its first iteration
        if 'ie_weight' in after[0]:
            assert after[0]['ie_phase'] == 2 and set(per_iteration(doc, 'ie_weight')) == {1.0}
    else:
        assert 'ie_phase1_iters' not in doc
    return doc


@pytest.mark.parametrize('recipe', RECIPES)
def test_every_recipe_keeps_its_promised_schedule(recipe):
    check_recipe(recipe)


def test_every_recipe_is_covered():
    assert len(RECIPES) >= 60 and all(family(r) and isinstance(method_promise(r, family(r)), dict) for r in RECIPES)
    methods = {r.split('/')[0] for r in RECIPES}
    assert methods == {'kd', 'iekd', 'sskd', 'iakd'}


# ----------------------------------------------------------------------------------------- resume
@pytest.mark.parametrize('recipe, ipe, options', [
    ('sskd/faster_rcnn_r50_r101.py', 10, None),
    ('sskd/cifar100_resnet56_resnet20.py', 5, dict(default_hooks=dict(checkpoint=dict(interval=7)))),
    ('sskd/tiny/sskd_faster_rcnn_tiny_shapes.py', 150, dict(default_hooks=dict(checkpoint=dict(interval=30)))),
    ('iakd/faster_rcnn_r50_r101.py', 10, None),
    ('iakd/tiny/iakd_faster_rcnn_tiny_shapes.py', 150, dict(default_hooks=dict(checkpoint=dict(interval=45)))),
    ('iekd/tiny/iekd_faster_rcnn_tiny_shapes.py', 150, dict(default_hooks=dict(checkpoint=dict(interval=60)))),
    ('iekd/cifar100_iedml_resnet32_resnet32.py', 5, dict(default_hooks=dict(checkpoint=dict(interval=9)))),
])
def test_resume_from_every_checkpoint_point_gives_the_same_rest_of_the_run(recipe, ipe, options):
    cfg = ps.load(osp.join(ROOT, 'configs', recipe), options)
    full = ps.simulate(ps.Pieces(cfg, ipe), keep_states=True)
    assert len(full['snapshots']) >= 5
    assert ps.check_resume(cfg, ipe, full=full) == []


# ----------------------------------------------------------------------------------------- the old defect
class OldRestartSSKDStageHook(SSKDStageHook):
    """SSKD's LR restart as it was before its fix: each scheduler's window moved to the boundary in the
    stages' unit and its step count set to 0 (on the COCO recipe: the iteration-based warm-up got an epoch as
    its begin and never ran again; the epoch milestones moved past the end of training)."""

    def _restart_schedulers(self, runner) -> None:
        progress = runner.epoch if self.by_epoch else runner.iter
        schedulers = runner.param_schedulers
        schedulers = [s for group in schedulers.values() for s in group] if isinstance(schedulers, dict) \
            else schedulers
        for scheduler in schedulers or []:
            length = scheduler.end - scheduler.begin
            scheduler.begin = progress
            if length < 10**9:
                scheduler.end = progress + length
            scheduler.last_step = 0
            for group, value in zip(scheduler.optimizer.param_groups, scheduler.base_values):
                group[scheduler.param_name] = value


def test_the_check_fails_on_the_old_sskd_lr_restart():
    recipe = 'sskd/faster_rcnn_r50_r101.py'
    # The recipe's schedule as it was (mmdet's 1x milestones counted from the start of training) with the hook as
    # it was, on the recipe's stages and head phase.
    old = dict(custom_hooks=[dict(type=OldRestartSSKDStageHook, by_epoch=True, restart_lr=True)],
               param_scheduler=[dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=500),
                                dict(type='MultiStepLR', begin=0, end=12, by_epoch=True, milestones=[10, 11],
                                     gamma=0.1)])
    with pytest.raises(AssertionError, match='the LR at iteration 600 is 0.02'):  # no warm-up at stage 2
        check_recipe(recipe, old)
    doc = ps.preview(ps.load(osp.join(ROOT, 'configs', recipe), old), 600)
    lrs = per_iteration(doc, 'lr', 0)
    assert set(lrs[2 * 600:12 * 600]) == {0.02}, 'as found: every epoch from 2 to 12 at lr 0.02'
    check_recipe(recipe)  # the recipe as shipped passes


# ----------------------------------------------------------------------------------------- the command line
def test_command_line_prints_draws_and_writes_json(tmp_path, capsys):
    out, js = str(tmp_path / 'timeline.png'), str(tmp_path / 'timeline.json')
    status = ps.main([osp.join(ROOT, 'configs', 'iakd', 'tiny', 'iakd_faster_rcnn_tiny_shapes.py'),
                      '--iters-per-epoch', '150', '--out', out, '--json', js, '--check-resume',
                      '--cfg-options', 'default_hooks.checkpoint.interval=100'])
    printed = capsys.readouterr().out
    assert status == 0 and osp.getsize(out) > 10_000
    doc = json.load(open(js))
    assert doc['iters_per_epoch'] == 150 and doc['max_iters'] == 300
    entries = doc['timeline']
    assert {e['iter'] for e in entries} >= {0, 150, 240}  # epoch starts and the LR drop
    assert all(set(e) <= {'iter', 'epoch', 'lr', 'momentum', 'swap_prob'} for e in entries)
    assert [e['epoch'] for e in entries if e['iter'] in (0, 150)] == [0, 1]
    assert 'resume check: 3 checkpoint points, the rest of the run is the same from each' in printed
    assert '300 iterations, 150 per epoch (iteration-based loop)' in printed


def test_without_the_dataset_it_asks_for_iters_per_epoch():
    with pytest.raises(SystemExit, match='--iters-per-epoch'):
        ps.main([osp.join(ROOT, 'configs', 'sskd', 'faster_rcnn_r50_r101.py'),
                 '--cfg-options', 'train_dataloader.dataset.data_root=/nonexistent/coco/'])
