"""Writes scikit-learn's handwritten digits as mmpretrain CustomDataset class folders in OUT_DIR.

Example:
    python tools/dataset_converters/make_digits.py data/digits --size 32
"""
import argparse
import os.path as osp
import sys

try:
    from mmiekd.datasets.digits import ensure_digits, generate_digits
except ImportError:  # run from a checkout without `pip install -e .`: use the repository's package
    sys.path.insert(0, osp.abspath(osp.join(osp.dirname(__file__), '..', '..')))
    from mmiekd.datasets.digits import ensure_digits, generate_digits


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Convert sklearn digits to PNG class folders.')
    parser.add_argument('out_dir', help='output folder')
    parser.add_argument('--size', type=int, default=32, help='side of the square images, in px')
    parser.add_argument('--val-fraction', type=float, default=0.2,
                        help='fraction of each class held out for validation')
    parser.add_argument('--seed', type=int, default=0, help='random seed of the split')
    parser.add_argument('--force', action='store_true',
                        help='regenerate even if OUT_DIR already holds this dataset')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    make = generate_digits if args.force else ensure_digits
    info = make(args.out_dir, size=args.size, val_fraction=args.val_fraction, seed=args.seed)
    state = 'wrote' if info['generated'] else 'already up to date:'
    print(f"{state} {info['out_dir']} ({args.size}x{args.size} RGB PNG, classes 0-9)")
    for split in ('train', 'val'):
        counts = ', '.join(f'{k}: {v}' for k, v in info['class_counts'][split].items())
        print(f"  {split}: {info[f'num_{split}']} images in {info[f'{split}_dir']} ({counts})")
    print(f"  parameters: {info['meta_file']}")


if __name__ == '__main__':
    main()
