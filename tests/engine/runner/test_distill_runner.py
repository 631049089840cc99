"""mmiekd.DistillRunner: atomic checkpoint hook in place of a plain one, safe loading in scope, CPU SyncBN."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.fileio.backends import LocalBackend
from mmengine.hooks import CheckpointHook
from torch import nn

from mmiekd.engine.hooks import AtomicCheckpointHook
from mmiekd.engine.runner import DistillRunner
from mmiekd.utils import AtomicLocalBackend, CPUSyncBatchNorm, convert_cpu_sync_batchnorm, register_all_modules


def make_runner(config, work_dir, **overrides):
    register_all_modules(init_default_scope=False)
    cfg = Config.fromfile(config)
    cfg.work_dir = str(work_dir)
    cfg.runner_type = 'mmiekd.DistillRunner'
    cfg.merge_from_dict(overrides)
    return DistillRunner.from_cfg(cfg)


def test_plain_checkpoint_hook_becomes_atomic_and_saves_atomically(plain_mmdet_config, tmp_path):
    runner = make_runner(plain_mmdet_config, tmp_path / 'work')
    hooks = [h for h in runner.hooks if isinstance(h, CheckpointHook)]
    assert len(hooks) == 1 and type(hooks[0]) is AtomicCheckpointHook
    assert hooks[0].interval == 2 and hooks[0].by_epoch is False, "the config's arguments are kept"
    runner.train()
    assert type(hooks[0].file_backend) is AtomicLocalBackend
    ckpt = osp.join(str(tmp_path / 'work'), 'iter_2.pth')
    assert osp.isfile(ckpt) and torch.load(ckpt, map_location='cpu', weights_only=False)['meta']['iter'] == 2
    with open(osp.join(str(tmp_path / 'work'), 'last_checkpoint')) as f:
        assert f.read() == ckpt
    assert not glob.glob(str(tmp_path / 'work' / '.*.tmp')), 'no temporary file left behind'


def test_disabled_or_custom_checkpoint_hooks_are_left_alone(plain_mmdet_config, tmp_path):
    runner = make_runner(plain_mmdet_config, tmp_path / 'a', **{'default_hooks.checkpoint': None})
    assert not [h for h in runner.hooks if isinstance(h, CheckpointHook)]
    runner = make_runner(plain_mmdet_config, tmp_path / 'b', **{
        'default_hooks.checkpoint.backend_args': dict(backend='local')})
    hook = next(h for h in runner.hooks if isinstance(h, CheckpointHook))
    assert hook.backend_args == dict(backend='local'), 'an explicit backend is the user\'s choice'


def test_atomic_backend_writes_whole_files(tmp_path):
    backend = AtomicLocalBackend()
    assert isinstance(backend, LocalBackend)
    backend.put(b'abc', tmp_path / 'x.pth')
    backend.put_text('pointer', tmp_path / 'last_checkpoint')
    assert (tmp_path / 'x.pth').read_bytes() == b'abc' and (tmp_path / 'last_checkpoint').read_text() == 'pointer'
    assert sorted(p.name for p in tmp_path.iterdir()) == ['last_checkpoint', 'x.pth']


def test_resume_with_an_empty_pointer_takes_the_newest_checkpoint(plain_mmdet_config, tmp_path):
    work = tmp_path / 'work'
    make_runner(plain_mmdet_config, work).train()
    (work / 'last_checkpoint').write_text('')  # killed between open() and write() by a plain hook
    runner = make_runner(plain_mmdet_config, work, resume=True, **{'train_cfg.max_iters': 3})
    runner.train()
    assert runner.iter == 3
    assert torch.load(str(work / 'iter_3.pth'), map_location='cpu', weights_only=False)['meta']['iter'] == 3


def test_cpu_sync_bn_conversion_keeps_weights_buffers_and_modes():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 4, 1), nn.BatchNorm2d(4), nn.Sequential(nn.SyncBatchNorm(4)))
    model[1].running_mean.fill_(0.5)
    model[1].weight.requires_grad_(False)
    model[2][0].eval()
    x = torch.randn(2, 3, 5, 5)
    model.train()
    model[2][0].eval()
    weight = model[1].weight
    only_sync = convert_cpu_sync_batchnorm(nn.Sequential(nn.BatchNorm2d(4), nn.SyncBatchNorm(4)), only_sync=True)
    assert type(only_sync[0]) is nn.BatchNorm2d and type(only_sync[1]) is CPUSyncBatchNorm
    reference = nn.Sequential(nn.Conv2d(3, 4, 1), nn.BatchNorm2d(4), nn.Sequential(nn.BatchNorm2d(4)))
    reference.load_state_dict(model.state_dict())
    reference.train()
    reference[2][0].eval()
    model = convert_cpu_sync_batchnorm(model)
    assert type(model[1]) is CPUSyncBatchNorm and type(model[2][0]) is CPUSyncBatchNorm
    assert model[1].weight is weight and not model[1].weight.requires_grad
    assert model[1].training and not model[2][0].training
    assert torch.equal(model[1].running_mean, torch.full((4, ), 0.5))
    assert not isinstance(model[1], nn.SyncBatchNorm), 'DDP refuses nn.SyncBatchNorm on CPU'
    # One process: the same as BatchNorm (the multi-rank path is tests/tools/test_multi_node.py).
    assert torch.allclose(model[2][0](model[1](model[0](x))), reference[2][0](reference[1](reference[0](x))))
    with pytest.raises(ValueError, match='expected at least 2D'):
        model[1](torch.randn(4))
