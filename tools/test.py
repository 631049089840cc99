"""Evaluate a checkpoint with a config (an mmiekd distiller evaluates its student).

Same flags as MMDetection's tools/test.py:
    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out FILE.pkl] [--show] [--show-dir DIR]
                                           [--wait-time S] [--tta] [--cfg-options k=v ...]
                                           [--launcher {none,pytorch,slurm,mpi}]

A distiller's teacher is built without loading ``teacher_ckpt`` (nor ``ie.autoencoder_ckpt``): the training
checkpoint holds everything the student's predictions need, so the teacher's file need not be on the machine.
"""
import argparse
import os.path as osp
import sys
import warnings

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))

from launch_utils import add_common_args, close_process_group, export_local_rank, load_config  # noqa: E402
from mmengine.config import ConfigDict  # noqa: E402
from mmengine.registry import RUNNERS  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

from mmiekd.models.distillers import teacher_weights_not_needed  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Test (evaluate) a model')
    parser.add_argument('config', help='test config file path (also pkg::path)')
    parser.add_argument('checkpoint', help='checkpoint file')
    add_common_args(parser)
    parser.add_argument('--out', help='dump the predictions to a pickle file (.pkl)')
    parser.add_argument('--show', action='store_true', help='show prediction results in a window')
    parser.add_argument('--show-dir', help='save the drawn predictions in this folder (under the run\'s '
                        'timestamped folder, as mmdet)')
    parser.add_argument('--wait-time', type=float, default=2, help='the interval of --show (s)')
    parser.add_argument('--tta', action='store_true', help='test-time augmentation (flip), as mmdet/mmpretrain')
    args = parser.parse_args(argv)
    export_local_rank(args)
    return args


def trigger_visualization_hook(cfg, args):
    """``--show``/``--show-dir``: the config's visualization hook draws (as mmdet's and mmpretrain's test.py)."""
    hook = cfg.default_hooks.get('visualization') if 'default_hooks' in cfg else None
    if hook is None:
        raise RuntimeError('--show/--show-dir need a visualization hook in `default_hooks` (mmdet\'s and '
                           'mmpretrain\'s default runtimes have one): default_hooks.visualization=dict(...)')
    pretrain = cfg.get('default_scope') == 'mmpretrain'
    hook['enable' if pretrain else 'draw'] = True
    if args.show:
        hook['show'] = True
        hook['wait_time'] = args.wait_time
    if args.show_dir:
        # mmdet's DetVisualizationHook writes to `test_out_dir`; mmpretrain's VisualizationHook to `out_dir`.
        hook['out_dir' if pretrain else 'test_out_dir'] = args.show_dir
    return cfg


def apply_tta(cfg):
    """``--tta``: wraps the model in the toolbox's TTA model, flip TTA by default (as mmdet/mmpretrain).

    mmdet registers ``DetTTAModel`` in MMEngine's root registry, hence no scope prefix.
    """
    pretrain = cfg.get('default_scope') == 'mmpretrain'
    dataset = cfg.test_dataloader.dataset
    while 'dataset' in dataset:
        dataset = dataset['dataset']
    if 'tta_model' not in cfg:
        warnings.warn('No `tta_model` in the config: using the default flip TTA.')
        cfg.tta_model = dict(type='mmpretrain.AverageClsScoreTTA') if pretrain else dict(
            type='DetTTAModel', tta_cfg=dict(nms=dict(type='nms', iou_threshold=0.5), max_per_img=100))
    if 'tta_pipeline' not in cfg:
        flips = [dict(type='RandomFlip', prob=1.), dict(type='RandomFlip', prob=0.)]
        pipeline = list(dataset.pipeline)
        if pretrain:
            cfg.tta_pipeline = pipeline[:-1] + [dict(type='TestTimeAug', transforms=[flips, [pipeline[-1]]])]
        else:
            pack = dict(pipeline[-1])
            pack['meta_keys'] = tuple(pack.get('meta_keys', ('img_id', 'img_path', 'ori_shape', 'img_shape',
                                                             'scale_factor'))) + ('flip', 'flip_direction')
            cfg.tta_pipeline = pipeline[:-1] + [dict(type='TestTimeAug', transforms=[flips, [pack]])]
    cfg.model = ConfigDict(**cfg.tta_model, module=cfg.model)
    if 'batch_shapes_cfg' in dataset:
        dataset.batch_shapes_cfg = None
    dataset.pipeline = cfg.tta_pipeline
    return cfg


def main(argv=None):
    args = parse_args(argv)
    cfg = load_config(args)
    cfg.load_from = args.checkpoint
    if args.show or args.show_dir:
        cfg = trigger_visualization_hook(cfg, args)
    if args.tta:
        cfg = apply_tta(cfg)
    if args.out is not None:
        if not args.out.endswith(('.pkl', '.pickle')):
            raise ValueError('--out must be a .pkl file')
        cfg.test_evaluator = [*cfg.test_evaluator] if isinstance(cfg.test_evaluator, (list, tuple)) \
            else [cfg.test_evaluator]
        cfg.test_evaluator.append(dict(type='mmengine.DumpResults', out_file_path=args.out))
    with teacher_weights_not_needed():
        runner = Runner.from_cfg(cfg) if 'runner_type' not in cfg else RUNNERS.build(cfg)
    metrics = runner.test()
    close_process_group()
    return metrics


if __name__ == '__main__':
    main()
