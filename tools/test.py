"""Evaluate a checkpoint with a config (an mmiekd distiller evaluates its student).

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out FILE.pkl] [--cfg-options k=v ...]
                                           [--launcher {none,pytorch,slurm,mpi}]
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))

from launch_utils import add_common_args, export_local_rank, load_config  # noqa: E402
from mmengine.registry import RUNNERS  # noqa: E402
from mmengine.runner import Runner  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Test (evaluate) a model')
    parser.add_argument('config', help='test config file path (also pkg::path)')
    parser.add_argument('checkpoint', help='checkpoint file')
    add_common_args(parser)
    parser.add_argument('--out', help='dump the predictions to a pickle file (.pkl)')
    args = parser.parse_args(argv)
    export_local_rank(args)
    return args


def main(argv=None):
    args = parse_args(argv)
    cfg = load_config(args)
    cfg.load_from = args.checkpoint
    if args.out is not None:
        if not args.out.endswith(('.pkl', '.pickle')):
            raise ValueError('--out must be a .pkl file')
        cfg.test_evaluator = [*cfg.test_evaluator] if isinstance(cfg.test_evaluator, (list, tuple)) \
            else [cfg.test_evaluator]
        cfg.test_evaluator.append(dict(type='mmengine.DumpResults', out_file_path=args.out))
    runner = Runner.from_cfg(cfg) if 'runner_type' not in cfg else RUNNERS.build(cfg)
    return runner.test()


if __name__ == '__main__':
    main()
