"""Digit scenes: a small COCO-format detection dataset of real handwritten digits on real photos.

The second embedded detection track, beside :mod:`mmiekd.datasets.shapes_coco`, built only from data that
ships inside scikit-learn (nothing is downloaded):

* backgrounds: random crops of ``sklearn.datasets.load_sample_images()`` (``china.jpg``, ``flower.jpg``,
  427 x 640), a crop side of 0.1 to 0.4 of the photo's shorter side, flipped half of the time, resized
  to the image size;
* objects: the 1,797 8x8 handwritten digits of ``sklearn.datasets.load_digits()`` (classes '0'..'9').
  They are split once, stratified and seeded, into a pool for train images and a disjoint pool for val
  images (:func:`digit_pools`), so val handwriting is never seen in training. Each object is a sample
  upscaled bilinearly to a square side drawn from ``digit_size_range`` and blended with its
  ``intensity / 16`` (times an opacity of 0.85-1) as alpha, in a random hue, dark on a bright
  background and bright on a dark one;
* 2 to ``max_objects`` objects per image, classes from shuffled copies of the class list (balanced),
  placed so that their squares do not overlap (an object that finds no free spot is dropped).

Annotations: ``bbox`` is the tight ``[x, y, w, h]`` box of the pixels with alpha > 0.25, ``area`` their
count, ``digit_index`` the sklearn sample index; category ids 1..10 are named '0'..'9'.

Determinism: image ``i`` of a split is drawn from a generator seeded by ``(seed, split, i)`` and the
classes from one stream per split consumed in image order, so with the same seed the first ``n`` train
images do not depend on ``num_train``, and the val split does not depend on it at all.
"""
import colorsys
import functools
import os
import os.path as osp
from typing import Any, Dict, List, Sequence, Tuple

import numpy as np
from PIL import Image

from ._io import META_FILE, clear_generated_pngs, ensure_generated, remove_meta, to_jsonable, write_json
from .digits import DIGITS_CLASSES, stratified_split
from .shapes_coco import (SPLITS, ImgSize, _BalancedClassStream, _is_complete, _summary, mask_to_bbox)

DIGIT_SCENES_CLASSES = DIGITS_CLASSES
# Bump when the drawing code changes, so ``ensure_digit_scenes`` rebuilds older datasets.
FORMAT_VERSION = 1

_IMAGE_NAME = '{:06d}.png'  # as shapes_coco, whose completeness check is reused
_IMAGE_NAME_PATTERN = r'\d{6}'
_VAL_POOL_FRACTION = 0.3  # of each class's digit samples, reserved for val images
_CROP_SCALE = (0.1, 0.4)  # background crop side, as a fraction of the photo's shorter side
_BOX_ALPHA = 0.25  # pixels above this alpha make the box
_MAX_TRIES = 30  # placement attempts before an object is dropped
_GAP = 1  # px kept free between the squares of two objects


@functools.lru_cache(maxsize=1)
def _sources() -> Tuple[Tuple[np.ndarray, ...], np.ndarray, np.ndarray]:
    """Loads sklearn's photos (uint8 ``(427, 640, 3)``) and digits (alpha ``(1797, 8, 8)``, labels)."""
    try:  # imported here so that mmiekd.datasets imports without scikit-learn
        from sklearn.datasets import load_digits, load_sample_images
    except ImportError as error:
        raise ImportError('digit scenes need scikit-learn: pip install scikit-learn') from error
    photos = tuple(np.asarray(p, dtype=np.uint8) for p in load_sample_images().images)
    digits = load_digits()
    alphas = np.clip(digits.images.astype(np.float32) / 16.0, 0.0, 1.0)
    return photos, alphas, np.asarray(digits.target, dtype=np.int64)


@functools.lru_cache(maxsize=8)
def digit_pools(seed: int) -> Tuple[Tuple[int, ...], Tuple[int, ...]]:
    """Returns the sklearn digit indices that train images and val images draw from (disjoint).

    The split is stratified (30 % of each class goes to val) and depends on ``seed`` only.
    """
    labels = _sources()[2]
    train, val = stratified_split(labels, _VAL_POOL_FRACTION, np.random.default_rng([seed, 0]))
    return tuple(train), tuple(val)


def _background(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """A random crop of one of sklearn's photos, maybe flipped, as a float ``(H, W, 3)`` image."""
    photos = _sources()[0]
    photo = photos[rng.integers(len(photos))]
    ph, pw = photo.shape[:2]
    side = rng.uniform(*_CROP_SCALE) * min(ph, pw)
    crop_h = int(min(ph, max(height // 4, round(side))))
    crop_w = int(min(pw, max(width // 4, round(side * width / height))))
    y0, x0 = int(rng.integers(0, ph - crop_h + 1)), int(rng.integers(0, pw - crop_w + 1))
    crop = Image.fromarray(photo[y0:y0 + crop_h, x0:x0 + crop_w]).resize((width, height), Image.Resampling.BILINEAR)
    if rng.random() < 0.5:
        crop = crop.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    return np.asarray(crop, dtype=np.float32)


def _digit_alpha(alpha_8x8: np.ndarray, side: int) -> np.ndarray:
    """Upscales an 8x8 alpha map in [0, 1] bilinearly to ``(side, side)``."""
    patch = Image.fromarray(alpha_8x8.astype(np.float32)).resize((side, side), Image.Resampling.BILINEAR)
    return np.clip(np.asarray(patch, dtype=np.float32), 0.0, 1.0)


def _contrasting_colour(rng: np.random.Generator, beneath: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """A random hue, dark (value 0-0.25) over a bright area, bright (0.8-1) over a dark one.

    The luminance compared is that of ``beneath`` (``(h, w, 3)``) weighted by the digit's ``alpha``.
    """
    luminance = (beneath @ np.array([0.299, 0.587, 0.114], np.float32) * alpha).sum() / max(alpha.sum(), 1e-6)
    value = rng.uniform(0.0, 0.25) if luminance > 127.5 else rng.uniform(0.8, 1.0)
    return 255.0 * np.array(colorsys.hsv_to_rgb(rng.random(), rng.uniform(0.2, 0.9), value), np.float32)


def _free(box: Tuple[int, int, int], taken: List[Tuple[int, int, int]]) -> bool:
    """Whether square ``(x, y, side)`` keeps ``_GAP`` px away from every square in ``taken``."""
    x, y, s = box
    return all(x + s + _GAP <= tx or tx + ts + _GAP <= x or y + s + _GAP <= ty or ty + ts + _GAP <= y
               for tx, ty, ts in taken)


def _class_stream(seed: int, split: str) -> _BalancedClassStream:
    """The class stream of a split; images consume it in order, so prefixes of a split are stable."""
    return _BalancedClassStream(len(DIGIT_SCENES_CLASSES), np.random.default_rng([seed, 1, SPLITS.index(split)]))


def _render_image(params: Dict[str, Any], split: str, index: int,
                  stream: _BalancedClassStream) -> Tuple[np.ndarray, List[Dict[str, Any]], List[np.ndarray], int]:
    """Draws image ``index`` of ``split``.

    Returns:
        The uint8 ``(H, W, 3)`` image, one annotation dict per kept object (``category_id``, ``bbox``,
        ``area``, ``digit_index``), each kept object's float ``(H, W)`` alpha map, and the number of
        objects dropped for want of space.
    """
    rng = np.random.default_rng([params['seed'], 2, SPLITS.index(split), index])
    height, width = params['img_size']
    low, high = params['digit_size_range']
    _, alphas_8x8, labels = _sources()
    pool = np.asarray(digit_pools(params['seed'])[SPLITS.index(split)])
    canvas = _background(rng, height, width)
    objects, alphas, taken, dropped = [], [], [], 0
    for _ in range(int(rng.integers(min(2, params['max_objects']), params['max_objects'] + 1))):
        label = stream.next()
        members = pool[labels[pool] == label]
        sample = int(members[rng.integers(len(members))])
        side = int(rng.integers(low, high + 1))
        for _ in range(_MAX_TRIES):
            box = (int(rng.integers(0, width - side + 1)), int(rng.integers(0, height - side + 1)), side)
            if _free(box, taken):
                break
        else:
            dropped += 1
            continue
        x, y, _ = box
        patch = _digit_alpha(alphas_8x8[sample], side) * rng.uniform(0.85, 1.0)
        region = canvas[y:y + side, x:x + side]
        colour = _contrasting_colour(rng, region, patch)
        region += patch[..., None] * (colour - region)
        alpha = np.zeros((height, width), np.float32)
        alpha[y:y + side, x:x + side] = patch
        visible = alpha > _BOX_ALPHA
        if not visible.any():  # cannot happen with sklearn's digits, kept as a guard
            dropped += 1
            continue
        taken.append(box)
        alphas.append(alpha)
        objects.append(dict(category_id=label + 1, bbox=mask_to_bbox(visible), area=int(visible.sum()),
                            digit_index=sample))
    if params['noise_std'] > 0:
        canvas += rng.normal(0.0, params['noise_std'], canvas.shape).astype(np.float32)
    return np.clip(np.round(canvas), 0, 255).astype(np.uint8), objects, alphas, dropped


def _normalise_params(num_train: int, num_val: int, img_size: ImgSize, seed: int, max_objects: int,
                      digit_size_range: Sequence[int], noise_std: float) -> Dict[str, Any]:
    """Validates the generation arguments and returns them in the JSON form kept in meta.json."""
    height, width = (img_size, img_size) if isinstance(img_size, int) else (int(s) for s in img_size)
    low, high = (int(s) for s in digit_size_range)
    if num_train < 0 or num_val < 0:
        raise ValueError('num_train and num_val must be >= 0')
    if not 8 <= low <= high <= min(height, width):
        raise ValueError(f'digit_size_range must satisfy 8 <= low <= high <= image side, got {digit_size_range}')
    if max_objects < 1 or noise_std < 0:
        raise ValueError('need max_objects >= 1 and noise_std >= 0')
    return to_jsonable(dict(
        format_version=FORMAT_VERSION, num_train=int(num_train), num_val=int(num_val),
        img_size=[int(height), int(width)], seed=int(seed), classes=list(DIGIT_SCENES_CLASSES),
        max_objects=int(max_objects), digit_size_range=[low, high], noise_std=float(noise_std)))


def _generate_split(params: Dict[str, Any], split: str, img_dir: str) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    """Writes the images of one split and returns its COCO dict and statistics."""
    stream = _class_stream(params['seed'], split)
    height, width = params['img_size']
    images, annotations, num_dropped = [], [], 0
    for index in range(params[f'num_{split}']):
        image, objects, _, dropped = _render_image(params, split, index, stream)
        num_dropped += dropped
        file_name = _IMAGE_NAME.format(index)
        Image.fromarray(image, 'RGB').save(osp.join(img_dir, file_name), format='PNG')
        images.append(dict(id=index + 1, file_name=file_name, height=height, width=width))
        for obj in objects:
            annotations.append(dict(id=len(annotations) + 1, image_id=index + 1, iscrowd=0, segmentation=[], **obj))
    coco = dict(info=dict(description=f'mmiekd digit scenes, {split} split', version=str(FORMAT_VERSION)),
                licenses=[], images=images, annotations=annotations,
                categories=[dict(id=i + 1, name=n, supercategory='digit') for i, n in enumerate(DIGIT_SCENES_CLASSES)])
    counts = np.bincount([a['category_id'] - 1 for a in annotations], minlength=len(DIGIT_SCENES_CLASSES))
    stats = dict(num_images=len(images), num_objects=len(annotations), num_dropped=num_dropped,
                 class_counts={n: int(c) for n, c in zip(DIGIT_SCENES_CLASSES, counts)})
    return coco, stats


def generate_digit_scenes(out_dir: str, num_train: int = 300, num_val: int = 300, img_size: ImgSize = 64,
                          seed: int = 0, max_objects: int = 5, digit_size_range: Sequence[int] = (12, 22),
                          noise_std: float = 2.0) -> Dict[str, Any]:
    """Writes the digit scenes dataset in COCO format, always (see :func:`ensure_digit_scenes`).

    Layout: ``out_dir/{train,val}/NNNNNN.png``, ``out_dir/annotations/instances_{train,val}.json`` and
    ``out_dir/meta.json`` (parameters and statistics, written last).

    Args:
        out_dir: Output folder, created if needed.
        num_train: Number of training images; the first ``n`` are the same for any ``num_train >= n``.
        num_val: Number of validation images; they do not depend on ``num_train``.
        img_size: ``(height, width)`` or one int for square images.
        seed: Seed of the digit pools, the class streams and the per-image generators.
        max_objects: Most digits placed per image (at least 2 are tried, or ``max_objects`` if smaller).
        digit_size_range: Smallest and largest side, in px, of a digit's square (drawn uniformly).
        noise_std: Standard deviation of the Gaussian pixel noise, in grey levels (0: none).

    Returns:
        dict: ``out_dir``, ``meta_file``, ``{train,val}_img_dir``, ``{train,val}_ann_file``, ``num_train``,
        ``num_val``, ``classes`` ('0'..'9'), ``params``, ``generated`` (True) and per-split dicts
        ``num_objects``, ``num_dropped`` and ``class_counts``.
    """
    params = _normalise_params(num_train, num_val, img_size, seed, max_objects, digit_size_range, noise_std)
    os.makedirs(osp.join(out_dir, 'annotations'), exist_ok=True)
    remove_meta(out_dir)
    stats = {}
    for split in SPLITS:
        img_dir = osp.join(out_dir, split)
        os.makedirs(img_dir, exist_ok=True)
        clear_generated_pngs(img_dir, _IMAGE_NAME_PATTERN)
        coco, stats[split] = _generate_split(params, split, img_dir)
        write_json(osp.join(out_dir, 'annotations', f'instances_{split}.json'), coco)
    meta = dict(dataset='digit_scenes', params=params, stats=stats)
    write_json(osp.join(out_dir, META_FILE), meta, indent=2)
    return _summary(out_dir, meta, generated=True)


def ensure_digit_scenes(out_dir: str, **kwargs) -> Dict[str, Any]:
    """Generates the digit scenes unless ``out_dir`` already holds them with these parameters.

    Args:
        out_dir: Output folder.
        **kwargs: Any argument of :func:`generate_digit_scenes`; omitted ones take its defaults.

    Returns:
        dict: As :func:`generate_digit_scenes`, with ``generated`` False when nothing was written.
    """
    return ensure_generated(generate_digit_scenes, _normalise_params, _is_complete, _summary, out_dir, **kwargs)


__all__ = ['DIGIT_SCENES_CLASSES', 'generate_digit_scenes', 'ensure_digit_scenes', 'digit_pools']
