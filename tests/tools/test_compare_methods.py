"""tools/analysis_tools/compare_methods.py: the statistics against hand-computed values, the schedule scaling,
and end-to-end runs through tools/train.py on a COCO-format dataset the recipes have never seen (other class
names and ids, other image size, the 2017 file layout) and on a folder classification dataset."""
import json
import os
import os.path as osp
import shutil
import sys

import pytest
from conftest import ROOT

sys.path.insert(0, osp.join(ROOT, 'tools', 'analysis_tools'))
import compare_methods as cm  # noqa: E402


def test_t_interval_and_paired_difference_by_hand():
    # values 1, 2, 3: mean 2, sample std 1, half-width t(0.975, 2) / sqrt(3) = 4.303 / 1.732 = 2.484
    mean, std, ci = cm.mean_std_ci([1.0, 2.0, 3.0])
    assert mean == 2.0 and std == 1.0
    assert ci == pytest.approx([2 - 4.303 / 3**0.5, 2 + 4.303 / 3**0.5])
    doc = cm.summarise({'teacher': {0: 10.0}, 'student': {0: 1.0, 1: 2.0, 2: 3.0},
                        'a': {0: 2.0, 1: 3.1, 2: 4.0}, 'b': {0: 1.0, 1: 2.5, 2: 2.0}}, 'm')
    a = doc['methods']['a']
    # paired: differences 1.0, 1.1, 1.0 -> mean 1.0333, std 0.0577, interval well above 0
    assert a['diff_vs_student']['mean'] == pytest.approx(31 / 30)
    assert a['diff_vs_student']['ci95'][0] > 0 and a['verdict'] == 'better'
    b = doc['methods']['b']  # differences 0, 0.5, -1: the interval holds 0
    assert b['verdict'] == 'no measurable difference'
    assert doc['methods']['teacher']['diff_vs_student']['mean'] == pytest.approx(8.0)
    assert doc['methods']['teacher']['verdict'] == 'better'
    assert cm.verdict([-2.0, -0.1]) == 'worse'
    assert 'verdict' not in doc['methods']['student']


def test_t_quantiles():
    assert cm.t_quantile_975(1) == pytest.approx(12.706)
    assert cm.t_quantile_975(4) == pytest.approx(2.776)
    assert cm.t_quantile_975(200) == pytest.approx(1.96)
    with pytest.raises(ValueError):
        cm.t_quantile_975(0)


def test_schedule_scaled_to_the_budget():
    from mmengine.config import Config
    # SSKD: the budget is the head phase (the iterations with the task loss); the stages come before it, scaled
    # by the same factor: 4 x 100 + 300 -> 4 x 200 + 600.
    cfg = Config.fromfile(osp.join(ROOT, 'configs/sskd/tiny/sskd_faster_rcnn_tiny_shapes.py'))
    assert [s.length for s in cfg.model.stages] == [100] * 4 and cfg.model.head_length == 300
    cm.scale_schedule(cfg, 600)
    assert [s.length for s in cfg.model.stages] == [200] * 4 and cfg.model.head_length == 600
    assert cfg.train_cfg.max_iters == cfg.train_cfg.val_interval == 1400
    assert cfg.default_hooks.checkpoint.interval == 1400
    assert list(cfg.param_scheduler[1].milestones) == [480]  # the head phase's own schedule, scaled
    cfg = Config.fromfile(osp.join(ROOT, 'configs/iakd/tiny/iakd_faster_rcnn_tiny_shapes.py'))
    end, milestones = cfg.custom_hooks[0]['end'], list(cfg.param_scheduler[1].milestones)
    cm.scale_schedule(cfg, cfg.train_cfg.max_iters * 3)
    assert cfg.custom_hooks[0]['end'] == 3 * end
    assert list(cfg.param_scheduler[1].milestones) == [3 * m for m in milestones]


def make_unseen_coco(root):
    """A COCO-format dataset unlike the embedded one: three classes with other names and ids, 96x80 images,
    the 2017 layout."""
    from mmiekd.datasets import generate_shapes_coco
    generate_shapes_coco(root, num_train=12, num_val=6, img_size=(96, 80), seed=3,
                         classes=('star', 'circle', 'cross'), max_objects=3, scale_range=(0.3, 0.6))
    names = {'star': 'widget', 'circle': 'gadget', 'cross': 'sprocket'}
    for split in ('train', 'val'):
        shutil.move(osp.join(root, split), osp.join(root, f'{split}2017'))
        path = osp.join(root, 'annotations', f'instances_{split}.json')
        with open(path) as f:
            coco = json.load(f)
        new_id = {c['id']: 3 + 4 * i for i, c in enumerate(coco['categories'])}
        coco['categories'] = [dict(c, id=new_id[c['id']], name=names[c['name']]) for c in coco['categories']]
        for ann in coco['annotations']:
            ann['category_id'] = new_id[ann['category_id']]
        with open(osp.join(root, 'annotations', f'instances_{split}2017.json'), 'w') as f:
            json.dump(coco, f)
        os.remove(path)


def test_compares_on_a_coco_dataset_it_has_never_seen(tmp_path, capsys):
    data = str(tmp_path / 'unseen')
    make_unseen_coco(data)
    assert cm.find_det_layout(data)['classes'] == ('widget', 'gadget', 'sprocket')
    work = tmp_path / 'work'
    args = ['--data-root', data, '--methods', 'sskd', '--seeds', '2', '--iters', '10', '--teacher-iters', '10',
            '--work-dir', str(work), '--jobs', '2', '--batch-size', '2', '--img-size', '64']
    doc = cm.main(args)
    out = capsys.readouterr().out
    assert set(doc['methods']) == {'teacher', 'student', 'sskd'}
    for name in ('student', 'sskd'):
        entry = doc['methods'][name]
        assert len(entry['seeds']) == 2 and all(0 <= v <= 100 for v in entry['seeds'])
        assert entry['ci95'][0] <= entry['mean'] <= entry['ci95'][1]
    assert doc['methods']['sskd']['verdict'] in ('better', 'no measurable difference', 'worse')
    assert json.loads((work / 'results.json').read_text()) == json.loads(json.dumps(doc))
    # The runs used the dataset's own classes (3), its layout and the budget.
    run_cfg = (work / 'sskd' / 'seed1' / 'config.py').read_text()
    assert "'widget'" in run_cfg and 'instances_train2017.json' in run_cfg and 'num_classes=3' in run_cfg
    assert 'seed=1' in run_cfg
    result = json.loads((work / 'sskd' / 'seed1' / 'result.json').read_text())
    assert result['iters'] == 10 and any(k.startswith('sskd.loss_stage') for k in result['curves'])
    # SSKD's budget is its head phase (10 iterations with the task loss); its four stages (3 iterations each, the
    # recipe's 100 of 300 scaled) come before and are reported as the phase before, with their wall time.
    assert result['phase1']['iters'] == 12 and result['phase1']['seconds'] >= 0
    assert '| sskd |' in (work / 'results.md').read_text() and '12 it,' in (work / 'results.md').read_text()
    assert (work / 'results.png').stat().st_size > 10_000
    assert '| sskd |' in (work / 'results.md').read_text()
    assert 'Iter(train)' in out and 'runs done' in out  # progress lines with the ETA
    # Finished runs are not repeated.
    cm.main(args)
    assert capsys.readouterr().out.count('done before') == 5


def test_classification_track_on_a_folder_dataset(tmp_path, digits_data):
    # Three of the ten digit classes: another class count than the recipes'.
    data = tmp_path / 'three'
    for split in ('train', 'val'):
        for cls in ('0', '1', '7'):
            src = osp.join(digits_data, split, cls)
            shutil.copytree(src, data / split / f'digit_{cls}', dirs_exist_ok=True)
    # KD with its term off and the task loss at full weight: the student alone, run through the distiller (the
    # teacher built, initialised and validated; one validation against the student alone's four).
    doc = cm.main(['--data-root', str(data), '--task', 'cls', '--methods', 'student', '--seeds', '2', '--iters', '12',
                   '--teacher-iters', '10', '--work-dir', str(tmp_path / 'work'), '--batch-size', '8',
                   '--variant', 'kd_off=kd', 'model.distill.logits.loss.loss_weight=0.0',
                   'model.student.head.loss.loss_weight=1.0'])
    assert doc['metric'] == 'accuracy/top1'
    assert all(0 <= v <= 100 for v in doc['methods']['kd_off']['seeds'])
    assert 'num_classes=3' in (tmp_path / 'work' / 'kd_off' / 'seed0' / 'config.py').read_text()
    # Paired runs: the same seed gives the same initial student, data, draws, hence the same training.
    for seed in (0, 1):
        alone = json.loads((tmp_path / 'work' / 'student' / f'seed{seed}' / 'result.json').read_text())
        off = json.loads((tmp_path / 'work' / 'kd_off' / f'seed{seed}' / 'result.json').read_text())
        assert len(alone['val_curve']) == 4 and len(off['curves']['loss']) == 12
        assert off['curves']['loss'] == alone['curves']['loss']
        assert off['value'] == alone['value']
    assert doc['methods']['kd_off']['diff_vs_student']['mean'] == 0


def test_bad_arguments_are_refused(tmp_path):
    with pytest.raises(SystemExit):
        cm.parse_args(['--data-root', str(tmp_path), '--methods', 'nope'])
    with pytest.raises(SystemExit):
        cm.parse_args(['--data-root', str(tmp_path / 'missing')])
    with pytest.raises(SystemExit):
        cm.parse_args(['--data-root', str(tmp_path), '--seeds', '0'])
    with pytest.raises(SystemExit):
        cm.parse_args(['--data-root', str(tmp_path), '--threads', '0'])
    with pytest.raises(SystemExit):
        cm.parse_args(['--data-root', str(tmp_path), '--teacher-batch-size', '0'])
    with pytest.raises(FileNotFoundError, match='COCO-format'):
        cm.find_det_layout(str(tmp_path))


def test_variants_are_methods_with_overrides(tmp_path, shapes_data):
    args = cm.parse_args(['--data-root', shapes_data, '--methods', 'iekd', '--variant', 'iekd_w50=iekd',
                          'model.ie.inheritance.loss_weight=50', 'model.ie.exploration.form=cosine',
                          '--variant', 'iakd_own=iakd', 'model.teacher_ckpt=/elsewhere/teacher.pth'])
    assert args.methods == ['student', 'iekd', 'iekd_w50', 'iakd_own']
    assert args.overrides['iekd_w50'] == {'model.ie.inheritance.loss_weight': 50,
                                          'model.ie.exploration.form': 'cosine'}
    cfg = cm.build_run_config(args, args.recipes['iekd_w50'], 2, 40, '/t.pth', args.overrides['iekd_w50'])
    assert cfg.model.ie.inheritance.loss_weight == 50 and cfg.model.ie.exploration.form == 'cosine'
    assert cfg.model.teacher_ckpt == '/t.pth' and cfg.randomness.seed == 2 and cfg.train_cfg.max_iters == 40
    cfg = cm.build_run_config(args, args.recipes['iakd_own'], 0, 40, '/t.pth', args.overrides['iakd_own'])
    assert cfg.model.teacher_ckpt == '/elsewhere/teacher.pth'  # a variant may bring its own teacher
    with pytest.raises(SystemExit):
        cm.parse_args(['--data-root', shapes_data, '--variant', 'iekd=iakd'])  # a method's own name
    with pytest.raises(SystemExit):
        cm.parse_args(['--data-root', shapes_data, '--variant', 'x=nope'])


def test_teacher_trains_on_its_own_data_and_validates_on_the_students(tmp_path, shapes_data):
    """--teacher-data-root: the teacher's run reads its training split from there and validates on --data-root's
    val split, as every other run; other classes are refused; an endless sampler in every run."""
    from mmiekd.datasets import generate_shapes_coco
    more = str(tmp_path / 'more')
    generate_shapes_coco(more, num_train=6, num_val=2, img_size=64, seed=0)
    args = cm.parse_args(['--data-root', shapes_data, '--teacher-data-root', more, '--methods', 'fitnet'])
    cfg = cm.build_run_config(args, cm.TASKS['det']['teacher'], 0, 20, None, train_root=args.teacher_data_root,
                              batch_size=16)
    assert cfg.train_dataloader.dataset.data_root == osp.abspath(more) + '/'
    assert cfg.train_dataloader.batch_size == 16 and args.batch_size == 4
    for loader in ('val_dataloader', 'test_dataloader'):
        assert cfg[loader].dataset.data_root == osp.abspath(shapes_data) + '/'
    assert cfg.val_evaluator.ann_file.startswith(osp.abspath(shapes_data) + '/')
    assert cfg.train_dataloader.sampler.type == 'InfiniteSampler'
    student = cm.build_run_config(args, cm.TASKS['det']['methods']['fitnet'], 0, 20, '/t.pth')
    assert student.train_dataloader.dataset.data_root == osp.abspath(shapes_data) + '/'
    other = str(tmp_path / 'other')
    generate_shapes_coco(other, num_train=2, num_val=1, img_size=64, seed=0, classes=('star', 'circle'))
    with pytest.raises(ValueError, match=r"--teacher-data-root .*other: its classes \('star', 'circle'\) are not those"):
        cm.build_run_config(args, cm.TASKS['det']['teacher'], 0, 20, None, train_root=other)
    with pytest.raises(SystemExit):
        cm.parse_args(['--data-root', shapes_data, '--teacher-data-root', more, '--teacher-ckpt', __file__])
    with pytest.raises(SystemExit):
        cm.parse_args(['--data-root', shapes_data, '--teacher-data-root', str(tmp_path / 'missing')])


def test_iedml_is_compared_with_its_own_student_alone(tmp_path, digits_data):
    """--student: IE-DML's two ResNet-32 are compared with ResNet-32 trained alone; neither needs the teacher."""
    data = tmp_path / 'three'
    for split in ('train', 'val'):
        for cls in ('0', '1', '7'):
            shutil.copytree(osp.join(digits_data, split, cls), data / split / f'digit_{cls}', dirs_exist_ok=True)
    args = cm.parse_args(['--data-root', str(data), '--task', 'cls', '--student', 'resnet32', '--methods', 'iedml',
                          '--variant', 'iedml_pool2=iedml', 'model.ie.pool=2'])
    assert args.methods == ['resnet32', 'iedml', 'iedml_pool2']
    task = cm.TASKS['cls']
    assert not cm.recipe_needs_teacher(args.recipes['resnet32'], task)
    assert not cm.recipe_needs_teacher(args.recipes['iedml'], task, args.overrides['iedml_pool2'])
    assert cm.recipe_needs_teacher(args.recipes['kd'], task) and not cm.recipe_needs_teacher(
        args.recipes['student'], task)
    cfg = cm.build_run_config(args, args.recipes['iedml_pool2'], 1, 40, None, args.overrides['iedml_pool2'])
    assert cfg.model.ie.pool == 2 and cfg.randomness.seed == 1 and cfg.train_cfg.max_iters == 40
    # Both networks predict the data's three classes.
    assert cfg.model.net1.head.num_classes == 3 and cfg.model.net2.head.num_classes == 3
    alone = cm.build_run_config(args, args.recipes['resnet32'], 1, 40, None)
    assert alone.model.backbone.arch == 'resnet32' and alone.model.head.num_classes == 3
    # Every difference is to the named student alone.
    doc = cm.summarise({'resnet32': {0: 1.0, 1: 2.0}, 'iedml': {0: 2.0, 1: 4.0}}, 'm', 'resnet32')
    assert doc['student'] == 'resnet32' and 'diff_vs_student' not in doc['methods']['resnet32']
    assert doc['methods']['iedml']['diff_vs_student']['mean'] == pytest.approx(1.5)
    with pytest.raises(SystemExit):
        cm.parse_args(['--data-root', str(data), '--task', 'cls', '--student', 'nope'])
