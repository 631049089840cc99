"""Multi-node and multi-process training on gloo over loopback, as users run it on GPU clusters:
2 nodes x 1 process (two ``dist_train.sh`` with NNODES=2, NODE_RANK=0/1, MASTER_ADDR=127.0.0.1) and 1 node x 2
processes, for the IE-KD, SSKD and IAKD detection recipes shrunk to tiny models and generated data."""
import glob
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch
from conftest import ROOT, TINY_RUNTIME, write_config
from test_sskd_recipes_train import SHORT_STAGES

HERE = osp.dirname(osp.abspath(__file__))
# recipe, its method hook, config additions, iterations. SSKD: 4 stages of 1 iteration and 1 of head phase, so
# the wrapper's inner DDP is built again at every boundary.
METHODS = {
    'iekd': ('iekd/tiny/iekd_faster_rcnn_tiny_shapes.py', "dict(type='mmiekd.IEKDAutoEncoderHook', iters=2)", '', 4),
    'sskd': ('sskd/tiny/sskd_faster_rcnn_tiny_shapes.py', "dict(type='mmiekd.SSKDStageHook', by_epoch=False)",
             SHORT_STAGES.replace('length=2', 'length=1'), 5),
    'iakd': ('iakd/tiny/iakd_faster_rcnn_tiny_shapes.py',
             "dict(type='mmiekd.IAKDSwapHook', p_start=0.75, p_end=0.0, end=4)", '', 4),
}
PORTS = {('iekd', '2x1'): 29431, ('iekd', '1x2'): 29432, ('sskd', '2x1'): 29433, ('sskd', '1x2'): 29434,
         ('iakd', '2x1'): 29435, ('iakd', '1x2'): 29436}


def config_for(tmp_path, shapes_data, method, extra=''):
    recipe, hook, method_extra, iters = METHODS[method]
    return write_config(
        tmp_path / f'{method}.py',
        f"_base_ = ['{ROOT}/configs/{recipe}']\n" + TINY_RUNTIME.format(data=shapes_data, iters=iters)
        .replace(f'val_interval={iters}', 'val_interval=100')  # no validation: this is about training
        + method_extra + extra
        + "custom_imports = dict(imports=['fault_hooks'], allow_failed_imports=False)\n"
        + f"custom_hooks = [{hook}, dict(type='mmiekd.DumpRankStateHook', folder='{tmp_path}')]\n")


def launch(config, work_dir, nproc, port, node_rank=None):
    env = dict(os.environ, PYTHON=sys.executable, PORT=str(port), MASTER_ADDR='127.0.0.1',
               PYTHONPATH=os.pathsep.join([ROOT, HERE, os.environ.get('PYTHONPATH', '')]), OMP_NUM_THREADS='1')
    if node_rank is not None:
        env.update(NNODES='2', NODE_RANK=str(node_rank))
    return subprocess.Popen(['bash', osp.join(ROOT, 'tools', 'dist_train.sh'), config, str(nproc),
                             '--work-dir', work_dir], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)


def run(config, work_dir, topology, port):
    procs = [launch(config, work_dir, 1, port, node_rank=r) for r in (0, 1)] if topology == '2x1' \
        else [launch(config, work_dir, 2, port)]
    outputs = [p.communicate(timeout=600)[0] for p in procs]
    for proc, out in zip(procs, outputs):
        assert proc.returncode == 0, out[-6000:]
    return '\n'.join(outputs)


# Every method on 2 nodes x 1 process (the multi-node launch); 1 node x 2 processes for IE-KD (whose phase 1
# averages gradients and BN statistics itself) and in test_dist_launchers.py: the same DDP path, fewer runs to
# keep the suite's time.
@pytest.mark.parametrize('method, topology', [('iekd', '2x1'), ('iekd', '1x2'), ('sskd', '2x1'), ('iakd', '2x1')])
def test_distributed_training_agrees_across_ranks(method, topology, tmp_path, shapes_data):
    config = config_for(tmp_path, shapes_data, method)
    work_dir = str(tmp_path / 'work')
    log = run(config, work_dir, topology, PORTS[(method, topology)])
    assert 'Distributed training: True' in log
    iters = METHODS[method][3]
    ranks = [torch.load(str(tmp_path / f'rank{r}.pth'), weights_only=False) for r in (0, 1)]
    assert [r['rank'] for r in ranks] == [0, 1] and all(r['world_size'] == 2 for r in ranks)
    wrapper = 'StageDistributedDataParallel' if method == 'sskd' else 'MMDistributedDataParallel'
    for state in ranks:
        assert state['wrapper'] == wrapper and state['find_unused_parameters'] is False
        assert set(state['teacher_names']) <= set(state['ignored']), 'the teacher is left out of DDP'
        assert state['teacher_trainable'] == []
    # DDP keeps the ranks' trainable weights identical, step after step.
    trainable = ranks[0]['trainable']
    assert trainable.keys() == ranks[1]['trainable'].keys() and trainable
    for name, value in trainable.items():
        assert torch.allclose(value, ranks[1]['trainable'][name], atol=1e-6), name
    # One checkpoint per save, written once, by rank 0; no temporary file left behind.
    assert sorted(osp.basename(p) for p in glob.glob(osp.join(work_dir, 'iter_*.pth'))) == [f'iter_{iters}.pth']
    assert not glob.glob(osp.join(work_dir, '.*.tmp'))
    ckpt = torch.load(osp.join(work_dir, f'iter_{iters}.pth'), map_location='cpu', weights_only=False)
    assert not any(k.startswith('teacher.') for k in ckpt['state_dict'])
    if method == 'sskd':
        assert 'SSKD: head phase from iteration 5' in log and int(ckpt['state_dict']['stage']) == 4
        assert [r['builds'] for r in ranks] == [5, 5], 'one inner DDP per stage and for the head phase'
    if method == 'iakd':
        assert int(ckpt['state_dict']['swap_step']) == iters


def test_sync_bn_synchronises_the_student_on_cpu_ranks(tmp_path, shapes_data):
    config = config_for(tmp_path, shapes_data, 'iekd', extra="sync_bn = 'torch'\n")
    run(config, str(tmp_path / 'work'), '1x2', 29437)
    ranks = [torch.load(str(tmp_path / f'rank{r}.pth'), weights_only=False) for r in (0, 1)]
    assert ranks[0]['sync_bn'], 'the student BN layers were converted'
    # Each rank saw different images; with synchronised statistics the running means are still identical.
    for name, mean in ranks[0]['student_bn'].items():
        assert torch.allclose(mean, ranks[1]['student_bn'][name], atol=1e-6), name
    assert any(mean.abs().sum() > 0 for mean in ranks[0]['student_bn'].values())
