"""The main job (tools/run_main_job.py) end to end with a handful of iterations: the embedded data is written,
every run goes through compare_methods.py and tools/train.py, and results.json has the documented format."""
import json
import os.path as osp
import sys

from conftest import ROOT

sys.path.insert(0, osp.join(ROOT, 'tools'))


def test_main_job_compares_methods_with_seeds(tmp_path, capsys):
    import run_main_job
    work_dir = tmp_path / 'job'
    args = ['--work-dir', str(work_dir), '--data-root', str(tmp_path / 'data'), '--iters', '10', '--seeds', '2',
            '--teacher-iters', '10', '--methods', 'iekd']
    # Small data for the test: the track's generator settings with fewer, smaller images.
    run_main_job.TRACKS['det']['generate'].update(num_train=8, num_val=4)
    run_main_job.TRACKS['det']['teacher_generate'].update(num_train=12, num_val=4)
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
