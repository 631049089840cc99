"""Train a model (an mmiekd distiller or any plain MMDetection/MMPretrain config).

Same flags as MMDetection's tools/train.py:
    python tools/train.py CONFIG [--work-dir DIR] [--amp] [--resume [CKPT]] [--auto-scale-lr]
                                 [--cfg-options k=v ...] [--launcher {none,pytorch,slurm,mpi}]
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))

from launch_utils import add_common_args, close_process_group, export_local_rank, load_config  # noqa: E402
from mmengine.logging import print_log  # noqa: E402
from mmengine.registry import RUNNERS  # noqa: E402
from mmengine.runner import Runner  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Train a detector, classifier or distiller')
    parser.add_argument('config', help='train config file path (also pkg::path)')
    add_common_args(parser)
    parser.add_argument('--amp', action='store_true', default=False,
                        help='automatic mixed precision (fp16 on GPU, bf16 autocast on CPU)')
    parser.add_argument('--auto-scale-lr', action='store_true',
                        help='scale the learning rate by the actual total batch size (auto_scale_lr)')
    parser.add_argument(
        '--resume', nargs='?', type=str, const='auto',
        help='resume from CKPT, or without a value from the latest checkpoint in the work dir')
    args = parser.parse_args(argv)
    export_local_rank(args)
    return args


def enable_amp(optim_wrapper) -> None:
    """Makes one optim wrapper config mixed-precision: fp16 AmpOptimWrapper on a GPU, bf16 autocast on CPU."""
    kind = optim_wrapper.get('type', 'OptimWrapper')
    if kind in ('AmpOptimWrapper', 'mmengine.AmpOptimWrapper'):
        print_log('AMP training is already enabled in the config.', logger='current', level=30)
        return
    if kind not in ('OptimWrapper', 'mmengine.OptimWrapper'):
        raise ValueError(f'--amp needs `optim_wrapper.type` "OptimWrapper", got "{kind}"')
    import torch
    if torch.cuda.is_available():
        optim_wrapper.type = 'AmpOptimWrapper'
        optim_wrapper.setdefault('loss_scale', 'dynamic')
    else:
        # MMEngine's AmpOptimWrapper is GPU-only; bf16 autocast runs on CPU, without loss scaling.
        optim_wrapper.type = 'mmiekd.CPUAutocastOptimWrapper'
        optim_wrapper.dtype = 'bfloat16'


def apply_train_args(cfg, args):
    if args.amp:
        wrapper = cfg.optim_wrapper
        # A constructor-style optim_wrapper (IE-DML's one wrapper per network) gets AMP in every branch.
        branches = ([wrapper] if 'optimizer' in wrapper or 'constructor' not in wrapper else
                    [v for v in wrapper.values() if isinstance(v, dict) and 'optimizer' in v])
        if not branches:
            raise ValueError('--amp: `optim_wrapper` has no `optimizer`, nor branch configs with one')
        for branch in branches:
            enable_amp(branch)
    if args.auto_scale_lr:
        if 'auto_scale_lr' not in cfg or 'base_batch_size' not in cfg.auto_scale_lr:
            raise RuntimeError('--auto-scale-lr needs `auto_scale_lr=dict(base_batch_size=...)` in the config')
        cfg.auto_scale_lr.enable = True
    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume
    return cfg


def main(argv=None):
    args = parse_args(argv)
    cfg = apply_train_args(load_config(args), args)
    runner = Runner.from_cfg(cfg) if 'runner_type' not in cfg else RUNNERS.build(cfg)
    runner.train()
    close_process_group()


if __name__ == '__main__':
    main()
