"""`import mmiekd` (and importing every mmiekd module, as registry look-ups do) changes nothing in
MMEngine, mmcv or PyTorch: the functions and tables they expose are the same objects afterwards."""
import subprocess
import sys

from conftest import ROOT

SCRIPT = r'''
import importlib, json
import torch, torch.nn as nn, mmengine, mmcv.ops
import mmengine.config.config as config_module
import mmengine.runner.checkpoint as ckpt_module, mmengine.runner.runner as runner_module
from mmengine.config.utils import MODULE2PACKAGE
from mmengine.fileio.backends import backends, local_backend
from mmengine.runner.checkpoint import CheckpointLoader

def snapshot():
    nms, roi = importlib.import_module('mmcv.ops.nms'), importlib.import_module('mmcv.ops.roi_align')
    objects = dict(
        get_installed_path=config_module.get_installed_path,
        ckpt_find_latest=ckpt_module.find_latest_checkpoint,
        runner_find_latest=runner_module.find_latest_checkpoint,
        local_put=local_backend.LocalBackend.put, local_put_text=local_backend.LocalBackend.put_text,
        nms=nms.nms, roi_align=roi.roi_align,
        sync_bn_forward=nn.SyncBatchNorm.forward,
        ddp_sync_bn_check=nn.parallel.DistributedDataParallel._passing_sync_batchnorm_handle,
        torch_load=torch.load, bn_forward=nn.modules.batchnorm._BatchNorm.forward,
    )
    ids = {k: id(v) for k, v in objects.items()}
    ids['schemes'] = sorted((k, id(v)) for k, v in CheckpointLoader._schemes.items())
    ids['module2package'] = sorted(MODULE2PACKAGE.items())
    ids['backends'] = sorted((k, id(v)) for k, v in backends.items())
    ids['safe_globals'] = [str(g) for g in torch.serialization.get_safe_globals()]
    return ids

before = snapshot()
import mmiekd
after_import = snapshot()
import mmiekd.models, mmiekd.engine, mmiekd.datasets, mmiekd.utils
from mmiekd.utils import register_all_modules
register_all_modules()
from mmiekd.registry import MODELS, HOOKS, RUNNERS
MODELS.get('SingleTeacherDistiller'), HOOKS.get('AtomicCheckpointHook'), RUNNERS.get('DistillRunner')
after_all = snapshot()
print(json.dumps(dict(
    import_only=[k for k in before if before[k] != after_import[k]],
    everything=[k for k in before if before[k] != after_all[k]])))
'''


def test_importing_mmiekd_leaves_mmengine_mmcv_and_torch_as_they_were():
    import json
    proc = subprocess.run([sys.executable, '-c', SCRIPT], cwd=ROOT, capture_output=True, text=True, check=True)
    changed = json.loads(proc.stdout.strip().splitlines()[-1])
    assert changed == dict(import_only=[], everything=[]), changed
