"""tools/train.py, tools/test.py and extract_student.py on tiny configs and generated data."""
import glob
import json
import os
import os.path as osp

import pytest
import torch
from conftest import ROOT, run_tool, train_digits_recipe


def scalars(work_dir):
    """The per-iteration log records MMEngine writes to <work_dir>/<timestamp>/vis_data/scalars.json."""
    files = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')))
    with open(files[-1]) as f:
        return [json.loads(line) for line in f if line.strip()]


def test_plain_mmdet_config_trains_and_resumes_under_weights_only(plain_mmdet_config, tmp_path):
    work_dir = str(tmp_path / 'work')
    run_tool('tools/train.py', plain_mmdet_config, '--work-dir', work_dir)
    assert osp.isfile(osp.join(work_dir, 'iter_2.pth'))
    first = torch.load(osp.join(work_dir, 'iter_2.pth'), map_location='cpu', weights_only=False)
    assert first['meta']['iter'] == 2 and 'message_hub' in first and 'optimizer' in first
    proc = run_tool('tools/train.py', plain_mmdet_config, '--work-dir', work_dir, '--resume',
                    '--cfg-options', 'train_cfg.max_iters=3')
    assert 'resumed epoch: 0, iter: 2' in proc.stdout + proc.stderr
    assert osp.isfile(osp.join(work_dir, 'iter_3.pth'))
    logged_iters = [r['iter'] for r in scalars(work_dir) if 'loss' in r]
    assert logged_iters == [3], 'the resumed run continues at iteration 3, nothing repeated'
    resumed = torch.load(osp.join(work_dir, 'iter_3.pth'), map_location='cpu', weights_only=False)
    # The optimizer state went on from the saved one (AdamW: step count and first moments).
    states = resumed['optimizer']['state']
    assert all(int(v['step']) == int(first['optimizer']['state'][k]['step']) + 1 for k, v in states.items())
    moments_changed = any(not torch.equal(first['optimizer']['state'][k]['exp_avg'], v['exp_avg'])
                          for k, v in states.items())
    assert moments_changed and resumed['meta']['iter'] == 3


def test_resume_refuses_checkpoint_with_foreign_object(plain_mmdet_config, tmp_path):
    work_dir = tmp_path / 'work'
    work_dir.mkdir()
    marker = tmp_path / 'pwned'
    bad = work_dir / 'iter_1.pth'
    torch.save({'state_dict': {}, 'meta': {'iter': 1}, 'evil': _Exploit(str(marker))}, bad)
    proc = run_tool('tools/train.py', plain_mmdet_config, '--work-dir', str(work_dir), '--resume', str(bad),
                    check=False)
    assert proc.returncode != 0
    assert 'Refusing to load checkpoint' in proc.stderr and 'posix.system' in proc.stderr
    assert not marker.exists(), 'the payload must never run'


class _Exploit:
    """Pickles as a call to os.system: what weights_only=True exists to stop."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return os.system, (f'touch {self.path}', )


def test_fitnet_distillation_trains_exports_and_plain_mmdet_evaluates(tiny_fitnet_config, plain_mmdet_config,
                                                                      tmp_path):
    work_dir = str(tmp_path / 'distill')
    proc = run_tool('tools/train.py', tiny_fitnet_config, '--work-dir', work_dir)
    log = proc.stdout + proc.stderr
    assert 'Teacher: coco/bbox_mAP' in log, 'TeacherValHook evaluates the teacher before training'
    records = [r for r in scalars(work_dir) if 'loss' in r]
    assert [r['iter'] for r in records] == [1, 2]
    assert all(r['distill.loss_fpn'] > 0 and 'loss_cls' in r for r in records)
    val = [r for r in scalars(work_dir) if 'coco/bbox_mAP' in r][-1]
    assert 'teacher/coco/bbox_mAP' in val, 'teacher metrics are logged beside the student\'s'

    ckpt = osp.join(work_dir, 'iter_2.pth')
    state = torch.load(ckpt, map_location='cpu', weights_only=False)['state_dict']
    assert not any(k.startswith('teacher.') for k in state), 'teacher weights stay out of checkpoints'

    # The distiller's own checkpoint evaluates without the teacher's file, with mmdet's test flags.
    proc = run_tool('tools/test.py', tiny_fitnet_config, ckpt, '--work-dir', str(tmp_path / 'eval'),
                    '--out', str(tmp_path / 'preds.pkl'), '--show-dir', 'vis', '--tta',
                    '--cfg-options', f'model.teacher_ckpt={tmp_path}/not_on_this_machine.pth')
    log = proc.stdout + proc.stderr
    assert 'coco/bbox_mAP' in log and 'built without loading `teacher_ckpt`' in log
    import pickle
    with open(tmp_path / 'preds.pkl', 'rb') as f:
        preds = pickle.load(f)
    assert len(preds) == 4 and 'pred_instances' in preds[0], 'one prediction per val image (TTA-merged)'
    drawn = glob.glob(str(tmp_path / 'eval' / '*' / 'vis' / '*.jpg')) + glob.glob(
        str(tmp_path / 'eval' / '*' / 'vis' / '*.png'))
    assert len(drawn) == 4, 'every val image drawn under --show-dir'

    student_file = str(tmp_path / 'student.pth')
    run_tool('tools/model_converters/extract_student.py', ckpt, student_file)
    exported = torch.load(student_file, map_location='cpu', weights_only=True)
    assert set(exported) == {'state_dict', 'meta'}
    assert all(torch.equal(v, state['student.' + k]) for k, v in exported['state_dict'].items())

    import mmdet.utils
    from mmdet.registry import MODELS
    from mmengine.config import Config
    mmdet.utils.register_all_modules()
    plain = MODELS.build(Config.fromfile(plain_mmdet_config).model)
    result = plain.load_state_dict(exported['state_dict'], strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    proc = run_tool('tools/test.py', plain_mmdet_config, student_file, '--work-dir', str(tmp_path / 'test'))
    assert 'coco/bbox_mAP' in proc.stdout + proc.stderr


def test_extract_student_rejects_non_distiller_checkpoint(tmp_path):
    ckpt = tmp_path / 'plain.pth'
    torch.save({'state_dict': {'backbone.w': torch.zeros(1)}}, ckpt)
    proc = run_tool('tools/model_converters/extract_student.py', str(ckpt), str(tmp_path / 'o.pth'), check=False)
    assert proc.returncode != 0 and 'no "student.*" weights' in proc.stderr
    assert not (tmp_path / 'o.pth').exists()


@pytest.mark.parametrize('flag', ['--local-rank', '--local_rank'])
def test_train_and_test_accept_both_local_rank_spellings(flag, monkeypatch):
    import sys
    sys.path.insert(0, osp.join(ROOT, 'tools'))
    import test as test_tool
    import train as train_tool
    monkeypatch.delenv('LOCAL_RANK', raising=False)
    args = train_tool.parse_args(['cfg.py', flag, '3', '--launcher', 'pytorch', '--resume'])
    assert args.local_rank == 3 and os.environ['LOCAL_RANK'] == '3' and args.resume == 'auto'
    args = test_tool.parse_args(['cfg.py', 'ckpt.pth', flag, '1', '--cfg-options', 'a.b=2'])
    assert args.local_rank == 1 and args.cfg_options == {'a.b': 2}
    with pytest.raises(SystemExit):
        train_tool.parse_args(['cfg.py', '--launcher', 'nccl'])


def test_cifar_kd_recipe_trains_on_embedded_digits(tmp_path, digits_data):
    work_dir = str(tmp_path / 'kd')
    proc = train_digits_recipe('kd/tiny/kd_cifar_resnet56_resnet20_digits.py', work_dir, digits_data, 2,
                               batch_size=16)
    assert 'Teacher: accuracy/top1' in proc.stdout + proc.stderr
    records = [r for r in scalars(work_dir) if 'loss' in r]
    assert [r['iter'] for r in records] == [1, 2]
    assert all(r['distill.loss_logits'] > 0 and 'student.loss' in r for r in records)
    assert any('accuracy/top1' in r and 'teacher/accuracy/top1' in r for r in scalars(work_dir))


def test_test_flags_on_a_classification_distiller_config():
    """--show-dir and --tta rewrite an mmpretrain distiller config as mmpretrain's test.py does; the TTA model
    wraps the distiller and builds without the teacher's file."""
    import argparse
    import sys

    from mmiekd.models.distillers import teacher_weights_not_needed
    from mmiekd.registry import MODELS
    sys.path.insert(0, osp.join(ROOT, 'tools'))
    import test as test_tool
    from launch_utils import load_config
    args = argparse.Namespace(config=osp.join(ROOT, 'configs/kd/tiny/kd_cifar_resnet56_resnet20_digits.py'),
                              cfg_options={'model.teacher_ckpt': '/nowhere/teacher.pth'}, launcher='none',
                              work_dir=None, show=False, show_dir='vis', wait_time=1.0)
    cfg = test_tool.apply_tta(test_tool.trigger_visualization_hook(load_config(args), args))
    assert cfg.default_hooks.visualization.enable is True and cfg.default_hooks.visualization.out_dir == 'vis'
    assert cfg.model.type == 'mmpretrain.AverageClsScoreTTA' and cfg.model.module.type.endswith('Distiller')
    assert cfg.test_dataloader.dataset.pipeline[-1].type == 'TestTimeAug'
    with teacher_weights_not_needed():
        model = MODELS.build(cfg.model)
    assert type(model).__name__ == 'AverageClsScoreTTA' and hasattr(model.module, 'teacher')


def test_a_distributed_run_ends_by_destroying_its_process_group(tmp_path):
    """train.py/test.py end a distributed run with a barrier and destroy the process group (else gloo's threads
    can abort a finished rank at interpreter exit); without a process group it does nothing."""
    import sys

    import torch.distributed as dist
    sys.path.insert(0, osp.join(ROOT, 'tools'))
    from launch_utils import close_process_group
    close_process_group()  # no process group: nothing to do, no error
    dist.init_process_group('gloo', init_method=f'file://{tmp_path}/pg', rank=0, world_size=1)
    assert dist.is_initialized()
    close_process_group()
    assert not dist.is_initialized()
