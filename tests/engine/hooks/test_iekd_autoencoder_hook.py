"""IEKDAutoEncoderHook: the authors' phase-1 optimizer (SGD with Nesterov momentum), and auto-encoder BN
statistics made equal on every rank after a distributed phase 1."""
import inspect

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from conftest import ROOT
from mmengine.config import Config

from mmiekd.engine.hooks import IEKDAutoEncoderHook
from mmiekd.models.connectors.factor_autoencoder import FactorAutoEncoder


def test_phase1_optimizer_is_nesterov_sgd_as_the_authors():
    default = inspect.signature(IEKDAutoEncoderHook).parameters['optimizer'].default
    assert default['type'] == 'SGD' and default['nesterov'] is True and default['momentum'] == 0.9
    for recipe in ('iekd/cifar100_resnet56_resnet20.py', 'iekd/faster_rcnn_r50_r101.py',
                   'iekd/imagenet_resnet34_resnet18.py', 'kd/ft_cifar100_resnet56_resnet20.py'):
        hooks = [h for h in Config.fromfile(f'{ROOT}/configs/{recipe}').custom_hooks
                 if h['type'].endswith('IEKDAutoEncoderHook')]
        assert hooks and hooks[0].get('optimizer', default).get('nesterov') is True, recipe


def _phase1_end_on_rank(rank, init_file, out):
    dist.init_process_group('gloo', init_method=f'file://{init_file}', rank=rank, world_size=2)
    torch.manual_seed(0)
    autoencoder = FactorAutoEncoder(4, 2)
    autoencoder.train()
    # Each rank sees its own batches: its BN running statistics differ from the other rank's.
    torch.manual_seed(10 + rank)
    autoencoder(torch.randn(2, 4, 5, 5) * (1 + rank) + rank)
    local = {k: v.clone() for k, v in autoencoder.state_dict().items()}
    IEKDAutoEncoderHook._average_buffers([autoencoder])
    torch.save(dict(local=local, synced=autoencoder.state_dict()), f'{out}.{rank}')
    dist.destroy_process_group()


def test_autoencoder_bn_statistics_are_averaged_across_ranks(tmp_path):
    out = str(tmp_path / 'state')
    mp.spawn(_phase1_end_on_rank, args=(str(tmp_path / 'init'), out), nprocs=2, join=True)
    r0, r1 = (torch.load(f'{out}.{r}', weights_only=True) for r in (0, 1))
    running = [k for k in r0['local'] if k.endswith('running_mean') or k.endswith('running_var')]
    assert running and any(not torch.equal(r0['local'][k], r1['local'][k]) for k in running)
    for key in running:
        assert torch.equal(r0['synced'][key], r1['synced'][key])
        assert torch.allclose(r0['synced'][key], (r0['local'][key] + r1['local'][key]) / 2)
