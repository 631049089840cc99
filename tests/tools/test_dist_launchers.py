"""tools/dist_train.sh and dist_test.sh: torchrun arguments from NNODES/NODE_RANK/MASTER_ADDR/PORT, and a
real 2-process gloo run."""
import os
import os.path as osp
import subprocess
import sys

import torch
from conftest import ROOT



def fake_python(tmp_path):
    """An interpreter stand-in that prints the arguments it was given."""
    script = tmp_path / 'fake_python'
    script.write_text('#!/usr/bin/env bash\nprintf "%s\\n" "$@"\n')
    script.chmod(0o755)
    return str(script)


def run_script(name, *args, env=None):
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run(['bash', osp.join(ROOT, 'tools', name), *args], env=full_env, capture_output=True,
                          text=True, timeout=600)


def test_dist_train_passes_multi_node_settings_to_torchrun(tmp_path):
    proc = run_script('dist_train.sh', 'cfg.py', '4', '--amp', '--work-dir', 'w',
                      env=dict(PYTHON=fake_python(tmp_path), NNODES='2', NODE_RANK='1', MASTER_ADDR='10.1.2.3',
                               PORT='29123'))
    assert proc.returncode == 0, proc.stderr
    argv = proc.stdout.split()
    assert argv[:2] == ['-m', 'torch.distributed.run']
    for expected in ('--nnodes=2', '--node_rank=1', '--master_addr=10.1.2.3', '--nproc_per_node=4',
                     '--master_port=29123'):
        assert expected in argv
    tail = argv[argv.index(osp.join(ROOT, 'tools', 'train.py')):]
    assert tail[1:] == ['cfg.py', '--amp', '--work-dir', 'w', '--launcher', 'pytorch']


def test_dist_test_defaults_to_one_local_node(tmp_path):
    env = dict(PYTHON=fake_python(tmp_path))
    for key in ('NNODES', 'NODE_RANK', 'MASTER_ADDR', 'PORT'):
        env[key] = ''
    proc = run_script('dist_test.sh', 'cfg.py', 'model.pth', '2', '--out', 'r.pkl',
                      env={k: v for k, v in env.items() if v})
    argv = proc.stdout.split()
    for expected in ('--nnodes=1', '--node_rank=0', '--master_addr=127.0.0.1', '--nproc_per_node=2',
                     '--master_port=29500'):
        assert expected in argv, argv
    tail = argv[argv.index(osp.join(ROOT, 'tools', 'test.py')):]
    assert tail[1:] == ['cfg.py', 'model.pth', '--out', 'r.pkl', '--launcher', 'pytorch']


def test_distillation_on_two_gloo_processes(tiny_fitnet_config, tmp_path):
    work_dir = str(tmp_path / 'ddp')
    proc = run_script('dist_train.sh', tiny_fitnet_config, '2', '--work-dir', work_dir,
                      env=dict(PYTHON=sys.executable, PORT='29417',
                               PYTHONPATH=ROOT + os.pathsep + os.environ.get('PYTHONPATH', '')))
    assert proc.returncode == 0, proc.stderr[-5000:]
    log = proc.stdout + proc.stderr
    assert 'Distributed training: True' in log and 'find_unused_parameters=True' not in log
    assert 'distill.loss_fpn' in log
    ckpt = torch.load(osp.join(work_dir, 'iter_2.pth'), map_location='cpu', weights_only=False)
    assert ckpt['meta']['iter'] == 2 and any(k.startswith('student.') for k in ckpt['state_dict'])
