"""The main job (tools/run_main_job.py) end to end with a handful of iterations: the embedded data is written,
every run goes through compare_methods.py and tools/train.py, and results.json has the documented format."""
import json
import os.path as osp
import sys

import pytest
import torch
from conftest import ROOT

sys.path.insert(0, osp.join(ROOT, 'tools'))


def test_main_job_compares_methods_with_seeds(tmp_path, capsys, monkeypatch):
    import run_main_job
    work_dir = tmp_path / 'job'
    exported = tmp_path / 'teacher.pth'
    args = ['--work-dir', str(work_dir), '--data-root', str(tmp_path / 'data'), '--iters', '10', '--seeds', '2',
            '--teacher-iters', '10', '--methods', 'iekd', '--train-teacher', '--export-teacher', str(exported)]
    # Small data for the test: the track's generator settings with fewer, smaller images.
    det = run_main_job.TRACKS['det']
    monkeypatch.setitem(det, 'generate', dict(det['generate'], num_train=8, num_val=4))
    monkeypatch.setitem(det, 'teacher_generate', dict(det['teacher_generate'], num_train=12, num_val=4))
    doc = run_main_job.main(args)
    out = capsys.readouterr().out
    assert list(doc['methods']) == ['teacher', 'student', 'iekd']
    assert run_main_job.TRACKS['det']['methods'] == ['fitnet', 'iekd', 'sskd', 'iakd']  # the default methods
    for name, entry in doc['methods'].items():
        assert set(entry) >= {'seeds', 'mean', 'std', 'ci95'}
        assert len(entry['seeds']) == (1 if name == 'teacher' else 2)
        if name != 'student':
            assert set(entry['diff_vs_student']) >= {'mean', 'ci95'}
            assert entry['verdict'] in ('better', 'no measurable difference', 'worse')
    assert json.loads((work_dir / 'results.json').read_text())['metric'] == 'coco/bbox_mAP'
    assert doc['phase1']['iekd'] and all(p['iters'] >= 1 for p in doc['phase1']['iekd'])
    assert '| iekd |' in out and 'teacher on val during training' in out  # the table is printed
    assert (work_dir / 'results.png').stat().st_size > 10_000
    # The teacher trained on its own data (more images, the students' first), validated on the students' val.
    assert doc['teacher_data_root'] == str(tmp_path / 'data') + '_teacher'
    from mmengine.config import Config
    teacher_cfg = Config.fromfile(str(work_dir / 'teacher' / 'seed0' / 'config.py'))
    assert teacher_cfg.train_dataloader.dataset.data_root == f'{tmp_path}/data_teacher/'
    assert teacher_cfg.val_dataloader.dataset.data_root == f'{tmp_path}/data/'
    with open(tmp_path / 'data_teacher' / 'annotations' / 'instances_train.json') as f:
        teacher_train = json.load(f)['images']
    with open(tmp_path / 'data' / 'annotations' / 'instances_train.json') as f:
        student_train = json.load(f)['images']
    assert len(teacher_train) == 12 and len(student_train) == 8
    assert [i['file_name'] for i in teacher_train[:8]] == [i['file_name'] for i in student_train]

    # --export-teacher: the trained teacher's weights alone, loadable with weights_only=True.
    shipped = torch.load(str(exported), weights_only=True)
    assert set(shipped) == {'state_dict', 'meta'} and shipped['meta']['iterations'] == 10
    trained = torch.load(str(work_dir / 'teacher' / 'seed0' / 'iter_10.pth'), weights_only=False)['state_dict']
    assert shipped['state_dict'].keys() == trained.keys()
    assert all(torch.equal(v, trained[k]) for k, v in shipped['state_dict'].items())

    # Without --train-teacher the track's shipped teacher is used (checked by its SHA-256), evaluated, not trained.
    monkeypatch.setitem(run_main_job.TRACKS['det'], 'teacher_ckpt', str(exported))
    monkeypatch.setitem(run_main_job.TRACKS['det'], 'teacher_sha256', run_main_job.sha256(str(exported)))
    shipped_dir = tmp_path / 'job_shipped'
    doc = run_main_job.main(['--work-dir', str(shipped_dir), '--data-root', str(tmp_path / 'data'), '--iters', '10',
                             '--seeds', '1', '--methods', 'fitnet'])
    assert list(doc['methods']) == ['teacher', 'student', 'fitnet']
    assert not (shipped_dir / 'teacher' / 'seed0' / 'train.log').exists(), 'the shipped teacher is not trained'
    assert doc['methods']['teacher']['seeds'] == entry_seeds(work_dir)
    fitnet_cfg = Config.fromfile(str(shipped_dir / 'fitnet' / 'seed0' / 'config.py'))
    assert fitnet_cfg.model.teacher_ckpt == str(exported)
    monkeypatch.setitem(run_main_job.TRACKS['det'], 'teacher_sha256', '0' * 64)
    with pytest.raises(SystemExit, match='has SHA-256 .* expected 0000'):
        run_main_job.main(['--work-dir', str(shipped_dir), '--data-root', str(tmp_path / 'data'), '--iters', '10',
                           '--seeds', '1', '--methods', 'fitnet'])


def entry_seeds(work_dir):
    """The trained teacher's AP as the comparison of ``work_dir`` recorded it."""
    return json.loads((work_dir / 'results.json').read_text())['methods']['teacher']['seeds']


def test_second_detection_track_with_a_variant(tmp_path, capsys, monkeypatch):
    """--track scenes: the digit scenes are written (students' and teacher's sets), the teacher is trained in the
    job on its set, and a --variant is compared beside the methods."""
    import run_main_job
    scenes = run_main_job.TRACKS['scenes']
    monkeypatch.setitem(scenes, 'generate', dict(scenes['generate'], num_train=8, num_val=4))
    monkeypatch.setitem(scenes, 'teacher_generate', dict(scenes['teacher_generate'], num_train=12, num_val=4))
    work_dir = tmp_path / 'job'
    doc = run_main_job.main(['--track', 'scenes', '--work-dir', str(work_dir), '--data-root', str(tmp_path / 'scn'),
                             '--iters', '10', '--teacher-iters', '10', '--seeds', '1', '--methods', 'fitnet',
                             '--variant', 'fitnet_w1=fitnet', 'model.distill.fpn.loss.loss_weight=1.0'])
    assert list(doc['methods']) == ['teacher', 'student', 'fitnet', 'fitnet_w1']
    with open(tmp_path / 'scn' / 'annotations' / 'instances_train.json') as f:
        assert [c['name'] for c in json.load(f)['categories']] == [str(d) for d in range(10)]
    with open(tmp_path / 'scn_teacher' / 'annotations' / 'instances_train.json') as f:
        assert len(json.load(f)['images']) == 12
    from mmengine.config import Config
    variant = Config.fromfile(str(work_dir / 'fitnet_w1' / 'seed0' / 'config.py'))
    assert variant.model.distill.fpn.loss.loss_weight == 1.0 and variant.model.student.roi_head.bbox_head.num_classes == 10
    assert run_main_job.parse_args([]).seeds == 5  # the main job's verdicts use 5 seeds
