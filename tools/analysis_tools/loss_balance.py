"""Each distillation term's pull against the task, at the recipe's real input size and any other.

    python tools/analysis_tools/loss_balance.py CONFIG [--img-size H W ...] [--batch N] [--base-size H W | --noise]
        [--cfg-options KEY=VALUE ...] [--json OUT.json]

Builds the recipe's real models (the teacher's and auto-encoders' checkpoints are loaded only where they are
local files; phase 1 is taken as done, with the auto-encoders as built), runs one training step on CPU on
synthetic images (with boxes for detectors, labels for classifiers) at the recipe's own training resolution
(read from its pipeline) and at every ``--img-size``, and prints for each weighted term (and each FPN level
of it) its value and its gradient norm on the student modules it distils, as a share of the task losses'
gradient norm on the same parameters. A weight chosen at one size keeps its meaning at another when the
shares agree.

The images are scenes drawn at ``--base-size`` (default 64 x 64, the embedded tracks' images) and resized to
each size, as a pipeline's Resize shows the same images at the recipe's resolution; ``--noise`` draws
independent pixels at every size instead. The batch is the recipe's ``train_dataloader.batch_size`` unless
``--batch`` is given. See docs/loss_balance.md for how to read the table.
"""
import argparse
import json
import time

import torch
from mmengine.config import DictAction

from mmiekd.analysis import build_recipe_model, load_recipe, measure_balance, recipe_batch_size, recipe_input_size
from mmiekd.analysis.loss_balance import format_table


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config')
    parser.add_argument('--img-size', type=int, nargs=2, action='append', default=[], metavar=('H', 'W'),
                        help='another input size to measure (repeatable); the recipe\'s own is always measured')
    parser.add_argument('--no-recipe-size', action='store_true', help='measure only the --img-size sizes')
    parser.add_argument('--batch', type=int, default=None, help='images per step (default: the recipe\'s)')
    parser.add_argument('--base-size', type=int, nargs=2, default=[64, 64], metavar=('H', 'W'),
                        help='size the scenes are drawn at before they are resized to each size (default 64 64)')
    parser.add_argument('--noise', action='store_true', help='independent pixels at every size (no common scenes)')
    parser.add_argument('--seed', type=int, default=0, help='seed of the weights, the images and their labels')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings, e.g. model.ie.inheritance.loss_weight=0.5')
    parser.add_argument('--json', help='also write the rows to this file')
    args = parser.parse_args(argv)
    if args.batch is not None and args.batch < 1:
        parser.error('--batch must be >= 1')
    if args.no_recipe_size and not args.img_size:
        parser.error('--no-recipe-size needs at least one --img-size')
    return args


def main(argv=None) -> list:
    args = parse_args(argv)
    cfg = load_recipe(args.config, args.cfg_options)
    sizes = [] if args.no_recipe_size else [recipe_input_size(cfg)]
    sizes += [tuple(s) for s in args.img_size if tuple(s) not in sizes]
    batch = args.batch or recipe_batch_size(cfg)
    base_size = None if args.noise else tuple(args.base_size)
    model = build_recipe_model(cfg, seed=args.seed)
    rows = []
    for size in sizes:
        start = time.perf_counter()
        rows += measure_balance(model, size, batch=batch, seed=args.seed, base_size=base_size)
        print(f'{size[0]} x {size[1]}: measured in {time.perf_counter() - start:.1f} s')
    content = 'independent pixels' if base_size is None else f'scenes drawn at {base_size[0]} x {base_size[1]}'
    print(f'\n{args.config}: batch {batch}, {content}, torch {torch.__version__}, CPU\n')
    print(format_table(rows))
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(dict(config=args.config, batch=batch, base_size=base_size, rows=[r.to_dict() for r in rows]),
                      f, indent=2)
    return rows


if __name__ == '__main__':
    main()
