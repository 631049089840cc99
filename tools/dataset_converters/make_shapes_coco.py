"""Generates the synthetic shapes detection dataset (COCO format) into OUT_DIR.

Example:
    python tools/dataset_converters/make_shapes_coco.py data/shapes --num-train 2000 --size 128
"""
import argparse
import os.path as osp
import sys

try:
    from mmiekd.datasets._io import format_summary
    from mmiekd.datasets.shapes_coco import ensure_shapes_coco, generate_shapes_coco
except ImportError:  # run from a checkout without `pip install -e .`: use the repository's package
    sys.path.insert(0, osp.abspath(osp.join(osp.dirname(__file__), '..', '..')))
    from mmiekd.datasets._io import format_summary
    from mmiekd.datasets.shapes_coco import ensure_shapes_coco, generate_shapes_coco


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Generate the synthetic shapes COCO dataset.')
    parser.add_argument('out_dir', help='output folder')
    parser.add_argument('--num-train', type=int, default=1000, help='training images')
    parser.add_argument('--num-val', type=int, default=200, help='validation images')
    parser.add_argument('--size', type=int, nargs='+', default=[128],
                        help='image size: S for square images, or H W')
    parser.add_argument('--seed', type=int, default=0, help='random seed')
    parser.add_argument('--max-objects', type=int, default=6, help='most objects per image')
    parser.add_argument('--force', action='store_true',
                        help='regenerate even if OUT_DIR already holds this dataset')
    args = parser.parse_args(argv)
    if len(args.size) not in (1, 2):
        parser.error('--size takes one value (S) or two (H W)')
    return args


def main(argv=None):
    args = parse_args(argv)
    img_size = args.size[0] if len(args.size) == 1 else tuple(args.size)
    make = generate_shapes_coco if args.force else ensure_shapes_coco
    info = make(args.out_dir, num_train=args.num_train, num_val=args.num_val, img_size=img_size,
                seed=args.seed, max_objects=args.max_objects)
    print(format_summary(info))

if __name__ == '__main__':
    main()
