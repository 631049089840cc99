"""What tools/train.py and tools/test.py share: MMDetection-compatible arguments and the set-up before the
Runner is built (config overrides, registry scopes, CPU process groups)."""
import argparse
import os
import os.path as osp

import torch
from mmengine.config import Config, DictAction

from mmiekd.utils import register_all_modules, resolve_config_path, with_build_scopes
from mmiekd.utils.model_config import mmiekd_config_paths


def add_common_args(parser: argparse.ArgumentParser) -> None:
    """Flags shared by train.py and test.py, spelled as in MMDetection's tools."""
    parser.add_argument('--work-dir', help='the folder for logs and checkpoints')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config settings, "key=value" pairs, e.g. model.teacher_ckpt=path.pth')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none',
                        help='job launcher')
    # torch.distributed.launch passes --local-rank (torch >= 2.0) or --local_rank (older): accept both.
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)


def close_process_group() -> None:
    """Ends a distributed run cleanly: every rank waits for the others, then the process group is destroyed
    before the interpreter exits. Left to interpreter shutdown, gloo's worker threads can be torn down while
    still joinable, and a rank that finished its work then aborts ("terminate called without an active
    exception", SIGABRT), failing the job after training succeeded."""
    import torch.distributed as dist
    if dist.is_available() and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()


def export_local_rank(args: argparse.Namespace) -> None:
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)


def load_config(args: argparse.Namespace) -> Config:
    """Reads the config, applies ``--cfg-options``, ``--launcher`` and ``--work-dir`` and registry scopes."""
    register_all_modules(init_default_scope=False)
    with mmiekd_config_paths():
        cfg = Config.fromfile(resolve_config_path(args.config, 'config'))
    # mmiekd's runner (atomic checkpoints, safe loading, CPU SyncBN) for configs that name no runner.
    cfg.setdefault('runner_type', 'mmiekd.DistillRunner')
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(args.config))[0])
    # `type='mmdet.X'` subtrees are built in their own scope, whatever the config's default_scope. Not the
    # model wrapper's: MMEngine's runner looks its type up by name alone (`MODEL_WRAPPERS.get(type)`, no
    # `_scope_`), which finds 'mmiekd.StageDistributedDataParallel' as written.
    for key in list(cfg.keys()):
        if key != 'model_wrapper_cfg':
            cfg[key] = with_build_scopes(cfg[key])
    if cfg.launcher != 'none':
        prepare_cpu_distributed(cfg)
    return cfg


def prepare_cpu_distributed(cfg: Config) -> None:
    """Lets a distributed job run on machines without a GPU (gloo), as CI and CPU users do.

    MMEngine 0.10.7's ``init_dist`` calls ``torch.cuda.set_device`` unconditionally and its default DDP
    wrapper passes ``device_ids=[LOCAL_RANK]``, both of which fail without a GPU. MMEngine skips its own
    ``init_dist`` when a process group exists, so we create a gloo one here, and ask DDP for
    ``device_ids=None``. With a GPU nothing changes: NCCL and MMEngine's own path are used.
    """
    if torch.cuda.is_available():
        return
    if cfg.launcher != 'pytorch':
        raise RuntimeError(f'--launcher {cfg.launcher} without a GPU is not supported; use --launcher pytorch '
                           '(tools/dist_train.sh) for CPU jobs')
    if not torch.distributed.is_initialized():
        timeout = cfg.get('env_cfg', {}).get('dist_cfg', {}).get('timeout', 1800)
        import datetime
        torch.distributed.init_process_group(backend='gloo', timeout=datetime.timedelta(seconds=timeout))
    wrapper = dict(cfg.get('model_wrapper_cfg') or dict(type='MMDistributedDataParallel'))
    wrapper.setdefault('broadcast_buffers', False)
    wrapper.setdefault('find_unused_parameters', cfg.get('find_unused_parameters', False))
    wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper
