"""Writes the student of an mmiekd training checkpoint as a plain checkpoint.

    python tools/model_converters/extract_student.py IN_CKPT OUT_CKPT

The output holds ``state_dict`` (the student's weights, without the ``student.`` prefix) and a small
``meta`` (dataset classes, source), nothing else: plain MMDetection/MMPretrain load it strictly into the
student built from its own config, e.g. ``python mmdet/tools/test.py STUDENT_CONFIG OUT_CKPT``, and it loads
with ``torch.load(weights_only=True)``. Teacher, connectors and auto-encoders are left out.
"""
import argparse
import os.path as osp
import sys

import torch

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))
import mmiekd  # noqa: E402
from mmiekd.utils import atomic_write, load_checkpoint_safely  # noqa: E402

PREFIX = 'student.'


def extract_student(in_file: str, out_file: str) -> dict:
    """Extracts the student's weights; returns the written checkpoint."""
    checkpoint = load_checkpoint_safely(in_file, map_location='cpu')
    state = checkpoint.get('state_dict', checkpoint)
    student = {k[len(PREFIX):]: v for k, v in state.items() if k.startswith(PREFIX)}
    if not student:
        raise ValueError(f'"{in_file}" has no "{PREFIX}*" weights: is it an mmiekd distiller checkpoint?')
    meta = dict(mmiekd_version=mmiekd.__version__, source=osp.basename(in_file))
    dataset_meta = checkpoint.get('meta', {}).get('dataset_meta') if isinstance(checkpoint, dict) else None
    if dataset_meta:
        meta['dataset_meta'] = dataset_meta
    out = dict(state_dict=student, meta=meta)
    # Written to a temporary file and renamed: an interrupted export never leaves a truncated checkpoint.
    atomic_write(out_file, lambda f: torch.save(out, f))
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description='Extract the student from a distillation checkpoint')
    parser.add_argument('in_file', help='training checkpoint of an mmiekd distiller')
    parser.add_argument('out_file', help='where to write the student-only checkpoint')
    args = parser.parse_args(argv)
    out = extract_student(args.in_file, args.out_file)
    print(f'wrote {args.out_file}: {len(out["state_dict"])} student tensors')


if __name__ == '__main__':
    main()
