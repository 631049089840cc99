"""Generates the digit scenes detection dataset (COCO format) into OUT_DIR.

Handwritten digits (sklearn's load_digits) pasted on crops of sklearn's sample photos; nothing is
downloaded. See mmiekd/datasets/digit_scenes.py.

Example:
    python tools/dataset_converters/make_digit_scenes.py data/digit_scenes --num-train 300 --size 64
"""
import argparse
import os.path as osp
import sys

try:
    from mmiekd.datasets._io import format_summary
    from mmiekd.datasets.digit_scenes import ensure_digit_scenes, generate_digit_scenes
except ImportError:  # run from a checkout without `pip install -e .`: use the repository's package
    sys.path.insert(0, osp.abspath(osp.join(osp.dirname(__file__), '..', '..')))
    from mmiekd.datasets._io import format_summary
    from mmiekd.datasets.digit_scenes import ensure_digit_scenes, generate_digit_scenes


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Generate the digit scenes COCO dataset.')
    parser.add_argument('out_dir', help='output folder')
    parser.add_argument('--num-train', type=int, default=300, help='training images')
    parser.add_argument('--num-val', type=int, default=300, help='validation images')
    parser.add_argument('--size', type=int, nargs='+', default=[64],
                        help='image size: S for square images, or H W')
    parser.add_argument('--seed', type=int, default=0, help='random seed')
    parser.add_argument('--max-objects', type=int, default=5, help='most digits per image')
    parser.add_argument('--digit-size', type=int, nargs=2, default=[12, 22], metavar=('MIN', 'MAX'),
                        help='smallest and largest digit side, in pixels')
    parser.add_argument('--noise-std', type=float, default=2.0, help='Gaussian pixel noise (grey levels)')
    parser.add_argument('--force', action='store_true',
                        help='regenerate even if OUT_DIR already holds this dataset')
    args = parser.parse_args(argv)
    if len(args.size) not in (1, 2):
        parser.error('--size takes one value (S) or two (H W)')
    return args


def main(argv=None):
    args = parse_args(argv)
    img_size = args.size[0] if len(args.size) == 1 else tuple(args.size)
    make = generate_digit_scenes if args.force else ensure_digit_scenes
    info = make(args.out_dir, num_train=args.num_train, num_val=args.num_val, img_size=img_size,
                seed=args.seed, max_objects=args.max_objects, digit_size_range=tuple(args.digit_size),
                noise_std=args.noise_std)
    print(format_summary(info))

if __name__ == '__main__':
    main()
