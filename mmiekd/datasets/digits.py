"""A small real image-classification dataset: scikit-learn's handwritten digits, as PNG folders.

scikit-learn ships the 1,797 8x8 grey images of the UCI "Optical Recognition of Handwritten Digits"
set inside the package (``sklearn.datasets.load_digits``), so nothing is downloaded. This module
upscales them and writes the folder layout that mmpretrain's ``CustomDataset`` reads::

    out_dir/train/<class>/<idx>.png   # class folders '0' .. '9'; idx is the sklearn sample index
    out_dir/val/<class>/<idx>.png
    out_dir/meta.json                 # parameters and counts, written last

scikit-learn is imported inside :func:`generate_digits` only, so importing :mod:`mmiekd.datasets`
stays cheap and does not need it.
"""
import os
import os.path as osp
from typing import Any, Dict, List, Tuple

import numpy as np
from PIL import Image

from ._io import (META_FILE, clear_generated_pngs, ensure_generated, remove_meta, to_jsonable,
                  write_json)

DIGITS_CLASSES = tuple(str(i) for i in range(10))
# Bump when the conversion changes, so ``ensure_digits`` rebuilds folders made by older code.
FORMAT_VERSION = 1

SPLITS = ('train', 'val')
_IMAGE_NAME = '{:04d}.png'
_IMAGE_NAME_PATTERN = r'\d{4}'
_SKLEARN_MAX_VALUE = 16.0  # load_digits() pixels are counts of set pixels in 4x4 blocks: 0..16


def _to_rgb(image_8x8: np.ndarray, size: int) -> Image.Image:
    """Converts one 0..16 float 8x8 digit into a ``size x size`` 3-channel PIL image.

    Bicubic upsampling keeps strokes smooth instead of blocky; the grey value is copied into three
    channels because image classifiers (and their pretrained stems) expect RGB input.
    """
    grey = np.round(image_8x8 * (255.0 / _SKLEARN_MAX_VALUE)).clip(0, 255).astype(np.uint8)
    upscaled = Image.fromarray(grey, 'L').resize((size, size), Image.Resampling.BICUBIC)
    return upscaled.convert('RGB')


def stratified_split(labels: np.ndarray, val_fraction: float,
                     rng: np.random.Generator) -> Tuple[List[int], List[int]]:
    """Splits sample indices so that every class has ``round(n_c * val_fraction)`` val samples.

    Args:
        labels: Integer class label of each sample.
        val_fraction: Fraction of each class that goes to the validation split.
        rng: Random generator that picks which samples of a class are held out.

    Returns:
        Sorted train indices and sorted val indices.
    """
    train, val = [], []
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        num_val = int(round(len(members) * val_fraction))
        val.extend(int(i) for i in members[:num_val])
        train.extend(int(i) for i in members[num_val:])
    return sorted(train), sorted(val)


def _normalise_params(size: int, val_fraction: float, seed: int, clutter: float = 0.0,
                      train_per_class: int = 0) -> Dict[str, Any]:
    """Validates the arguments and returns them in the JSON form kept in meta.json."""
    if int(size) < 8:
        raise ValueError(f'size must be at least 8 (the source resolution), got {size}')
    if not 0 < val_fraction < 1:
        raise ValueError(f'val_fraction must be in (0, 1), got {val_fraction}')
    if not 0 <= float(clutter) <= 1:
        raise ValueError(f'clutter must be in [0, 1], got {clutter}')
    if int(train_per_class) < 0 or int(train_per_class) != train_per_class:
        raise ValueError(f'train_per_class must be a whole number >= 0 (0: every train image), got {train_per_class}')
    params = dict(format_version=FORMAT_VERSION, size=int(size), val_fraction=float(val_fraction), seed=int(seed))
    # Absent at their defaults, so the plain digits' meta.json is unchanged.
    if clutter:
        params['clutter'] = float(clutter)
    if train_per_class:
        params['train_per_class'] = int(train_per_class)
    return to_jsonable(params)


def _cluttered(images: np.ndarray, index: int, size: int, clutter: float, seed: int) -> Image.Image:
    """Digit ``index`` made harder to read, as a ``size x size`` RGB image.

    The digit is shrunk to 45-75 % of the side and placed anywhere; ``round(6 * clutter)`` fragments of other
    digits (quarter-size crops, at 60 % intensity) are drawn around it, and Gaussian noise of ``60 * clutter`` grey levels is
    added. Every draw comes from a generator seeded by ``(seed, index)``, so an image does not depend on the
    others or on the split.
    """
    rng = np.random.default_rng([seed, index])
    canvas = np.zeros((size, size), np.float32)

    def paste(image_8x8, side, x, y, crop=None, intensity=1.0):
        grey = np.round(image_8x8 * (255.0 / _SKLEARN_MAX_VALUE)).clip(0, 255).astype(np.uint8)
        patch = np.asarray(Image.fromarray(grey, 'L').resize((side, side), Image.Resampling.BICUBIC), np.float32)
        if crop is not None:
            cx, cy, c = crop
            patch = patch[cy:cy + c, cx:cx + c]
        patch = patch * intensity
        h, w = patch.shape
        region = canvas[y:y + h, x:x + w]
        np.maximum(region, patch[:region.shape[0], :region.shape[1]], out=region)

    for _ in range(int(round(6 * clutter))):
        side = int(size * rng.uniform(0.45, 0.75))
        c = max(2, side // 2)
        paste(images[rng.integers(len(images))], side, int(rng.integers(0, size - c + 1)),
              int(rng.integers(0, size - c + 1)),
              (int(rng.integers(0, side - c + 1)), int(rng.integers(0, side - c + 1)), c), intensity=0.6)
    side = int(size * rng.uniform(0.45, 0.75))
    paste(images[index], side, int(rng.integers(0, size - side + 1)), int(rng.integers(0, size - side + 1)))
    canvas += rng.normal(0, 60 * clutter, canvas.shape).astype(np.float32)
    return Image.fromarray(canvas.clip(0, 255).astype(np.uint8), 'L').convert('RGB')


def _summary(out_dir: str, meta: Dict[str, Any], generated: bool) -> Dict[str, Any]:
    """Builds the dict returned by the public functions from ``meta.json``'s content."""
    out_dir = osp.abspath(out_dir)
    stats = meta['stats']
    summary = dict(out_dir=out_dir, meta_file=osp.join(out_dir, META_FILE),
                   classes=list(DIGITS_CLASSES), params=meta['params'], generated=generated)
    for split in SPLITS:
        summary[f'{split}_dir'] = osp.join(out_dir, split)
        summary[f'num_{split}'] = stats[split]['num_images']
    summary['class_counts'] = {split: stats[split]['class_counts'] for split in SPLITS}
    return summary


def generate_digits(out_dir: str, size: int = 32, val_fraction: float = 0.2,
                    seed: int = 0, clutter: float = 0.0, train_per_class: int = 0) -> Dict[str, Any]:
    """Writes sklearn's digits as PNG class folders, always (see :func:`ensure_digits`).

    Args:
        out_dir: Output folder, created if needed.
        size: Side of the square output images, in pixels.
        val_fraction: Fraction of each class held out for validation (stratified split).
        seed: Seed of ``numpy.random.default_rng``, which decides the split (and the clutter).
        clutter: 0 (default): each digit fills the image. Above 0 (at most 1), the harder variant of the
            classification track: the digit shrunk and placed anywhere, among fragments of other digits, with
            noise (:func:`_cluttered`); more of both as ``clutter`` grows.
        train_per_class: 0 (default): every train image of the split. Above 0: only the first this many train
            images of each class (by sample index), a labelled subset of the same split; the val split is
            unchanged, so a subset and the full set share it.

    Returns:
        dict: ``out_dir``, ``meta_file``, ``train_dir``, ``val_dir``, ``num_train``, ``num_val``,
        ``classes`` ('0' .. '9'), ``class_counts`` (per split), ``params`` and ``generated``.
    """
    # Imported here, not at module level: mmiekd.datasets must import without scikit-learn,
    # which is only a test extra of mmiekd.
    try:
        from sklearn.datasets import load_digits
    except ImportError as error:
        raise ImportError('generate_digits needs scikit-learn: pip install scikit-learn') from error

    params = _normalise_params(size, val_fraction, seed, clutter, train_per_class)
    digits = load_digits()
    images, labels = digits.images, np.asarray(digits.target)
    rng = np.random.default_rng(params['seed'])
    split_indices = dict(zip(SPLITS, stratified_split(labels, params['val_fraction'], rng)))
    if train_per_class:
        split_indices['train'] = sorted(i for c in np.unique(labels)
                                        for i in [j for j in split_indices['train'] if labels[j] == c][:train_per_class])

    os.makedirs(out_dir, exist_ok=True)
    remove_meta(out_dir)
    stats = {}
    for split in SPLITS:
        for name in DIGITS_CLASSES:
            class_dir = osp.join(out_dir, split, name)
            os.makedirs(class_dir, exist_ok=True)
            clear_generated_pngs(class_dir, _IMAGE_NAME_PATTERN)
        indices = split_indices[split]
        for index in indices:
            class_name = DIGITS_CLASSES[labels[index]]
            path = osp.join(out_dir, split, class_name, _IMAGE_NAME.format(index))
            if clutter:
                image = _cluttered(images, index, params['size'], params['clutter'], params['seed'])
            else:
                image = _to_rgb(images[index], params['size'])
            image.save(path, format='PNG')
        counts = np.bincount(labels[indices], minlength=len(DIGITS_CLASSES))
        stats[split] = dict(num_images=len(indices),
                            class_counts={name: int(c) for name, c in zip(DIGITS_CLASSES, counts)})

    meta = dict(dataset='sklearn_digits', params=params, stats=stats)
    write_json(osp.join(out_dir, META_FILE), meta, indent=2)
    return _summary(out_dir, meta, generated=True)


def _is_complete(out_dir: str, meta: Dict[str, Any]) -> bool:
    """Checks that each class folder holds as many generated images as ``meta`` records."""
    for split in SPLITS:
        for name, expected in meta['stats'][split]['class_counts'].items():
            class_dir = osp.join(out_dir, split, name)
            if not osp.isdir(class_dir):
                return False
            found = sum(1 for f in os.listdir(class_dir) if f.endswith('.png'))
            if found != expected:
                return False
    return True


def ensure_digits(out_dir: str, **kwargs) -> Dict[str, Any]:
    """Generates the digits folders unless ``out_dir`` already holds them with these parameters.

    Args:
        out_dir: Output folder.
        **kwargs: Any argument of :func:`generate_digits`; omitted ones take its defaults.

    Returns:
        dict: As :func:`generate_digits`, with ``generated`` False when nothing was written.
    """
    return ensure_generated(generate_digits, _normalise_params, _is_complete, _summary, out_dir, **kwargs)


__all__ = ['DIGITS_CLASSES', 'generate_digits', 'ensure_digits', 'stratified_split']
