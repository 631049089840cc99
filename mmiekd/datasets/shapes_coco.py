"""A synthetic, COCO-format detection dataset of coloured shapes, generated on the fly.

Nothing is downloaded: images are drawn with numpy and PIL from a seeded ``numpy.random.Generator``,
so the same arguments always give byte-identical files.

What an image holds (each knob is an argument of :func:`generate_shapes_coco`):

* a textured background: low-frequency colour noise, a linear gradient, sinusoidal or hard stripes,
  or a rotated checkerboard, sometimes two of them blended, plus thin unlabelled strokes (lines and
  arcs) as clutter;
* ``min_objects`` to ``max_objects`` filled shapes of the classes in :data:`SHAPES_CLASSES`, each
  with a random rotation, a log-uniform size (``scale_range``, as a fraction of the image's shorter
  side, so small objects are common), a random colour with a soft shading, and with probability
  ``low_contrast_prob`` a colour close to what lies beneath it;
* partial occlusion: shapes are drawn in order, later ones over earlier ones;
* a little blur and pixel noise (``noise_std``).

Occlusion rule: objects are resolved from the topmost down. An object whose visible part is less
than ``min_visible`` (default 0.3, i.e. more than 70 % occluded) of its full area, or whose visible
box is thinner than 2 px, is dropped *and not drawn at all*, so the images never contain
unlabelled fragments. The topmost object is always visible, so every image has at least one object.

Annotation convention (as in COCO): ``bbox`` is the tight ``[x, y, w, h]`` box of the *visible*
pixels of the shape (not of the full, amodal shape), in integer pixels, and ``area`` is the number
of visible pixels. ``segmentation`` is an empty list: this is a detection-only dataset.

Class balance: classes are drawn from a stream made of shuffled copies of the class list, so
before occlusion drops every class is placed the same number of times, give or take one.
"""
import math
import os
import os.path as osp
from typing import Any, Dict, List, Sequence, Tuple, Union

import numpy as np
from mmdet.datasets import CocoDataset
from PIL import Image, ImageDraw, ImageFilter

from mmiekd.registry import DATASETS
from ._io import (META_FILE, clear_generated_pngs, ensure_generated, remove_meta, to_jsonable,
                  write_json)

SHAPES_CLASSES = ('circle', 'ellipse', 'square', 'triangle', 'star', 'cross')
SHAPES_PALETTE = [(220, 20, 60), (0, 130, 200), (60, 180, 75), (255, 165, 0), (145, 30, 180),
                  (70, 240, 240)]
# Bump when the drawing code changes, so ``ensure_shapes_coco`` rebuilds older datasets.
FORMAT_VERSION = 1

SPLITS = ('train', 'val')
_IMAGE_NAME = '{:06d}.png'
_IMAGE_NAME_PATTERN = r'\d{6}'
_MIN_RADIUS = 3.0  # px; a smaller polygon is a few pixels that no detector could classify
_MIN_BOX_SIZE = 2  # px; visible boxes thinner than this are dropped like heavily occluded objects
_MIN_CONTRAST = 35.0  # Euclidean RGB distance kept between an object and what lies beneath it

ImgSize = Union[int, Sequence[int]]


# --------------------------------------------------------------------------------------------
# Shape geometry
# --------------------------------------------------------------------------------------------
def _regular_points(num: int, start: float = 0.0) -> np.ndarray:
    """Returns ``num`` points evenly spread on the unit circle, starting at angle ``start``."""
    angles = start + np.arange(num) * (2 * np.pi / num)
    return np.stack([np.cos(angles), np.sin(angles)], axis=1)


def _unit_shape(name: str, rng: np.random.Generator) -> np.ndarray:
    """Returns the outline of shape ``name`` as an ``(N, 2)`` polygon inside the unit circle.

    Every shape touches the unit circle, so the radius drawn for an object is its circumscribed
    radius whatever its class, and size carries no information about the class.
    """
    if name == 'circle':
        return _regular_points(40)
    if name == 'ellipse':
        # Aspect well below 1 so an ellipse is never mistaken for a circle when it is large.
        minor = rng.uniform(0.4, 0.65)
        return _regular_points(40) * np.array([1.0, minor])
    if name == 'square':
        return _regular_points(4, start=np.pi / 4)
    if name == 'triangle':
        return _regular_points(3, start=-np.pi / 2)
    if name == 'star':
        inner = rng.uniform(0.38, 0.5)
        points = _regular_points(10, start=-np.pi / 2)
        points[1::2] *= inner
        return points
    if name == 'cross':
        half_width = rng.uniform(0.26, 0.34)
        arm = math.sqrt(1.0 - half_width**2)  # so the arm corners lie on the unit circle
        w, a = half_width, arm
        return np.array([(w, a), (w, w), (a, w), (a, -w), (w, -w), (w, -a), (-w, -a), (-w, -w),
                         (-a, -w), (-a, w), (-w, w), (-w, a)])
    raise ValueError(f'unknown shape {name!r}; known shapes: {SHAPES_CLASSES}')


def _place_shape(unit: np.ndarray, centre: Tuple[float, float], radius: float,
                 angle: float) -> np.ndarray:
    """Rotates a unit polygon by ``angle``, scales it to ``radius`` and moves it to ``centre``."""
    cos, sin = math.cos(angle), math.sin(angle)
    rotation = np.array([[cos, -sin], [sin, cos]])
    return unit @ rotation.T * radius + np.asarray(centre)


def _polygon_mask(points: np.ndarray, height: int, width: int) -> np.ndarray:
    """Rasterises a polygon into a boolean ``(height, width)`` mask with PIL."""
    canvas = Image.new('L', (width, height), 0)
    ImageDraw.Draw(canvas).polygon([(float(x), float(y)) for x, y in points], fill=255)
    return np.asarray(canvas) > 0


def mask_to_bbox(mask: np.ndarray) -> List[int]:
    """Returns the tight ``[x, y, w, h]`` box of the true pixels of ``mask`` (integer pixels)."""
    ys, xs = np.nonzero(mask)
    x0, x1, y0, y1 = int(xs.min()), int(xs.max()), int(ys.min()), int(ys.max())
    return [x0, y0, x1 - x0 + 1, y1 - y0 + 1]


def resolve_occlusion(masks: Sequence[np.ndarray],
                      min_visible: float = 0.3,
                      min_box_size: int = _MIN_BOX_SIZE) -> List[Tuple[int, np.ndarray]]:
    """Decides which stacked objects are kept, and what is visible of each.

    Objects are walked from the topmost (last drawn) down. An object is dropped when less than
    ``min_visible`` of its pixels are left uncovered by the *kept* objects above it, or when the box
    of its visible pixels is thinner than ``min_box_size``. Dropped objects are not drawn, so they
    cover nothing: walking top-down makes every decision final when it is taken.

    Args:
        masks: Full (unoccluded) boolean masks in drawing order, index 0 at the bottom.
        min_visible: Smallest visible fraction of an object's own area that is kept.
        min_box_size: Smallest width and height, in pixels, of a kept object's visible box.

    Returns:
        ``(index, visible_mask)`` for each kept object, in drawing order (bottom first).
    """
    if not masks:
        return []
    covered = np.zeros_like(masks[0], dtype=bool)
    kept = []
    for index in reversed(range(len(masks))):
        full = masks[index]
        full_area = int(full.sum())
        if full_area == 0:
            continue
        visible = full & ~covered
        if visible.sum() < min_visible * full_area:
            continue
        _, _, w, h = mask_to_bbox(visible)
        if w < min_box_size or h < min_box_size:
            continue
        kept.append((index, visible))
        covered |= full
    kept.reverse()
    return kept


# --------------------------------------------------------------------------------------------
# Backgrounds and clutter
# --------------------------------------------------------------------------------------------
def _projection(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """Returns pixel coordinates projected on a random direction (for gradients and stripes)."""
    angle = rng.uniform(0, np.pi)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    return xs * math.cos(angle) + ys * math.sin(angle)


def _mix(t: np.ndarray, colour_a: np.ndarray, colour_b: np.ndarray) -> np.ndarray:
    """Blends two colours with a ``(H, W)`` weight map into an ``(H, W, 3)`` float image."""
    return colour_a + t[..., None] * (colour_b - colour_a)


def _background_noise(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """Low-frequency colour noise: a coarse random grid upsampled bicubically."""
    grid_h, grid_w = rng.integers(2, 7, size=2)
    grid = rng.integers(0, 256, size=(grid_h, grid_w, 3), dtype=np.uint8)
    smooth = Image.fromarray(grid, 'RGB').resize((width, height), Image.Resampling.BICUBIC)
    return np.asarray(smooth, dtype=np.float32)


def _background_gradient(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """A linear gradient between two random colours along a random direction."""
    proj = _projection(rng, height, width)
    t = (proj - proj.min()) / max(float(np.ptp(proj)), 1.0)
    return _mix(t, rng.uniform(0, 255, 3), rng.uniform(0, 255, 3))


def _background_stripes(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """Soft (sinusoidal) or hard stripes; periods overlap object sizes to act as clutter."""
    period = rng.uniform(4.0, max(6.0, min(height, width) / 4))
    phase = rng.uniform(0, 2 * np.pi)
    t = 0.5 + 0.5 * np.sin(2 * np.pi * _projection(rng, height, width) / period + phase)
    if rng.random() < 0.5:
        t = (t > 0.5).astype(np.float32)
    return _mix(t, rng.uniform(0, 255, 3), rng.uniform(0, 255, 3))


def _background_checker(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """A rotated checkerboard; its square cells are what makes squares harder to spot."""
    cell = rng.uniform(4.0, max(6.0, min(height, width) / 5))
    angle = rng.uniform(0, np.pi / 2)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    u = xs * math.cos(angle) + ys * math.sin(angle)
    v = -xs * math.sin(angle) + ys * math.cos(angle)
    t = ((np.floor(u / cell) + np.floor(v / cell)) % 2).astype(np.float32)
    return _mix(t, rng.uniform(0, 255, 3), rng.uniform(0, 255, 3))


_BACKGROUNDS = (_background_noise, _background_gradient, _background_stripes, _background_checker)


def _make_background(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """Draws one textured background, half of the time blended with a second texture."""
    first = _BACKGROUNDS[rng.integers(len(_BACKGROUNDS))](rng, height, width)
    if rng.random() < 0.5:
        second = _BACKGROUNDS[rng.integers(len(_BACKGROUNDS))](rng, height, width)
        alpha = rng.uniform(0.2, 0.5)
        first = (1 - alpha) * first + alpha * second
    return first


def _draw_clutter(rng: np.random.Generator, canvas: np.ndarray, max_clutter: int) -> np.ndarray:
    """Draws up to ``max_clutter`` thin unlabelled strokes (lines and arcs) on the background.

    Strokes are open curves, never filled, so they distract a detector without looking like any
    class; they are drawn under the shapes and so never occlude an object.
    """
    num = int(rng.integers(0, max_clutter + 1))
    if num == 0:
        return canvas
    height, width = canvas.shape[:2]
    image = Image.fromarray(np.clip(canvas, 0, 255).astype(np.uint8), 'RGB')
    draw = ImageDraw.Draw(image)
    for _ in range(num):
        colour = tuple(int(c) for c in rng.integers(0, 256, size=3))
        stroke = int(rng.integers(1, 3))
        x0, x1 = sorted(rng.uniform(0, width, size=2))
        y0, y1 = sorted(rng.uniform(0, height, size=2))
        if rng.random() < 0.5:
            draw.line([(x0, y0), (x1, y1)], fill=colour, width=stroke)
        else:
            start = float(rng.uniform(0, 360))
            # At most a partial ring, never a closed circle that could pass for a shape.
            end = start + float(rng.uniform(40, 200))
            draw.arc([(x0, y0), (x1 + 1, y1 + 1)], start, end, fill=colour, width=stroke)
    return np.asarray(image, dtype=np.float32)


# --------------------------------------------------------------------------------------------
# Objects
# --------------------------------------------------------------------------------------------
class _BalancedClassStream:
    """Yields class indices from shuffled copies of ``range(num_classes)``.

    Any prefix of the stream holds every class the same number of times, give or take one, which
    keeps classes balanced over a split without constraining a single image.
    """

    def __init__(self, num_classes: int, rng: np.random.Generator):
        self.num_classes = num_classes
        self.rng = rng
        self._pending: List[int] = []

    def next(self) -> int:
        if not self._pending:
            self._pending = [int(i) for i in self.rng.permutation(self.num_classes)]
        return self._pending.pop()


def _sample_object(rng: np.random.Generator, shape: str, height: int, width: int,
                   scale_range: Sequence[float]) -> np.ndarray:
    """Draws the polygon of one object: log-uniform size, uniform position and rotation."""
    short_side = min(height, width)
    low, high = scale_range
    # Log-uniform in size: as many objects between 8 and 16 px as between 32 and 64 px.
    diameter = math.exp(rng.uniform(math.log(low), math.log(high))) * short_side
    radius = min(max(diameter / 2, _MIN_RADIUS), short_side / 2 - 1)
    centre = (rng.uniform(radius, width - 1 - radius), rng.uniform(radius, height - 1 - radius))
    return _place_shape(_unit_shape(shape, rng), centre, radius, rng.uniform(0, 2 * np.pi))


def _object_colour(rng: np.random.Generator, beneath: np.ndarray,
                   low_contrast_prob: float) -> np.ndarray:
    """Picks an object colour, random or (sometimes) close to the mean colour it will cover.

    Either way the colour stays at least ``_MIN_CONTRAST`` away from what lies beneath, so objects
    are hard to see but never invisible.
    """
    if rng.random() < low_contrast_prob:
        distance = rng.uniform(_MIN_CONTRAST, 1.7 * _MIN_CONTRAST)
        offset = rng.normal(size=3)
    else:
        colour = rng.uniform(0, 255, size=3)
        offset = colour - beneath
        distance = max(float(np.linalg.norm(offset)), _MIN_CONTRAST)
    direction = offset / max(float(np.linalg.norm(offset)), 1e-6)
    colour = np.clip(beneath + direction * distance, 0, 255)
    if np.linalg.norm(colour - beneath) < _MIN_CONTRAST:
        # Clipping near the edge of the RGB cube ate the contrast: go the other way instead.
        colour = np.clip(beneath - direction * distance, 0, 255)
    return colour


def _paint_object(rng: np.random.Generator, canvas: np.ndarray, mask: np.ndarray,
                  low_contrast_prob: float) -> None:
    """Fills ``mask`` on ``canvas`` (in place) with a colour and a soft linear shading."""
    colour = _object_colour(rng, canvas[mask].mean(axis=0), low_contrast_prob)
    ys, xs = np.nonzero(mask)
    # A gentle gradient (at most about +-12 levels across the object) so fills are not perfectly
    # flat, which a detector could otherwise use as a shortcut against the textured background.
    span = max(int(np.ptp(xs)), int(np.ptp(ys)), 1)
    gx, gy = rng.uniform(-12, 12, size=2) / span
    shade = (xs - xs.mean()) * gx + (ys - ys.mean()) * gy
    canvas[ys, xs] = colour + shade[:, None]


def _finish(rng: np.random.Generator, canvas: np.ndarray, noise_std: float) -> np.ndarray:
    """Adds the camera-like degradations (slight blur, pixel noise) and converts to ``uint8``."""
    image = np.clip(canvas, 0, 255).astype(np.uint8)
    if rng.random() < 0.3:
        blurred = Image.fromarray(image, 'RGB').filter(
            ImageFilter.GaussianBlur(radius=float(rng.uniform(0.3, 0.8))))
        image = np.asarray(blurred)
    noisy = image.astype(np.float32) + rng.normal(0.0, noise_std, size=image.shape)
    return np.clip(np.round(noisy), 0, 255).astype(np.uint8)


def _render_image(rng: np.random.Generator, stream: _BalancedClassStream, classes: Sequence[str],
                  cfg: Dict[str, Any]) -> Tuple[np.ndarray, List[Dict[str, Any]], int]:
    """Draws one image.

    Returns:
        The ``uint8`` ``(H, W, 3)`` image, one dict per kept object (``category_id``, ``bbox``,
        ``area``) in drawing order, and the number of objects dropped for occlusion.
    """
    height, width = cfg['img_size']
    canvas = _make_background(rng, height, width)
    canvas = _draw_clutter(rng, canvas, cfg['max_clutter'])

    num_objects = int(rng.integers(cfg['min_objects'], cfg['max_objects'] + 1))
    labels, masks = [], []
    for _ in range(num_objects):
        label = stream.next()
        polygon = _sample_object(rng, classes[label], height, width, cfg['scale_range'])
        labels.append(label)
        masks.append(_polygon_mask(polygon, height, width))

    kept = resolve_occlusion(masks, cfg['min_visible'])
    objects = []
    for index, visible in kept:  # bottom first, so later shapes cover earlier ones
        _paint_object(rng, canvas, masks[index], cfg['low_contrast_prob'])
        objects.append(dict(category_id=labels[index] + 1, bbox=mask_to_bbox(visible),
                            area=int(visible.sum())))
    return _finish(rng, canvas, cfg['noise_std']), objects, num_objects - len(kept)


def _generate_split(split: str, num_images: int, rng: np.random.Generator, img_dir: str,
                    cfg: Dict[str, Any]) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    """Writes the images of one split and returns its COCO dict and statistics."""
    classes = cfg['classes']
    stream = _BalancedClassStream(len(classes), rng)
    height, width = cfg['img_size']
    images, annotations = [], []
    num_dropped = 0
    for index in range(num_images):
        image, objects, dropped = _render_image(rng, stream, classes, cfg)
        num_dropped += dropped
        file_name = _IMAGE_NAME.format(index)
        Image.fromarray(image, 'RGB').save(osp.join(img_dir, file_name), format='PNG')
        image_id = index + 1
        images.append(dict(id=image_id, file_name=file_name, height=height, width=width))
        for obj in objects:
            # Ids start at 1: some COCO tools treat an annotation id of 0 as "no match".
            annotations.append(dict(id=len(annotations) + 1, image_id=image_id, iscrowd=0,
                                    segmentation=[], **obj))

    coco = dict(
        info=dict(description=f'mmiekd synthetic shapes, {split} split',
                  version=str(FORMAT_VERSION)),
        licenses=[],
        images=images,
        annotations=annotations,
        categories=[dict(id=i + 1, name=name, supercategory='shape')
                    for i, name in enumerate(classes)])
    counts = np.bincount([a['category_id'] - 1 for a in annotations], minlength=len(classes))
    stats = dict(num_images=num_images, num_objects=len(annotations), num_dropped=num_dropped,
                 class_counts={name: int(c) for name, c in zip(classes, counts)})
    return coco, stats


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------
def _normalise_params(num_train: int, num_val: int, img_size: ImgSize, seed: int,
                      classes: Sequence[str], min_objects: int, max_objects: int,
                      scale_range: Sequence[float], min_visible: float, low_contrast_prob: float,
                      max_clutter: int, noise_std: float) -> Dict[str, Any]:
    """Validates the generation arguments and returns them in the JSON form kept in meta.json."""
    if isinstance(img_size, int):
        img_size = (img_size, img_size)
    height, width = (int(s) for s in img_size)
    classes = [str(c) for c in classes]
    low, high = (float(s) for s in scale_range)
    if min(height, width) < 16:
        raise ValueError(f'img_size must be at least 16 px, got {img_size}')
    if num_train < 0 or num_val < 0:
        raise ValueError('num_train and num_val must be >= 0')
    if not classes or len(set(classes)) != len(classes) or not set(classes) <= set(SHAPES_CLASSES):
        raise ValueError(f'classes must be distinct names from {SHAPES_CLASSES}, got {classes}')
    if not 1 <= min_objects <= max_objects:
        raise ValueError('need 1 <= min_objects <= max_objects')
    if not 0 < low <= high <= 1:
        raise ValueError(f'scale_range must satisfy 0 < low <= high <= 1, got {scale_range}')
    if not 0 < min_visible <= 1:
        raise ValueError('min_visible must be in (0, 1]')
    return to_jsonable(dict(
        format_version=FORMAT_VERSION, num_train=int(num_train), num_val=int(num_val),
        img_size=[height, width], seed=int(seed), classes=classes, min_objects=int(min_objects),
        max_objects=int(max_objects), scale_range=[low, high], min_visible=float(min_visible),
        low_contrast_prob=float(low_contrast_prob), max_clutter=int(max_clutter),
        noise_std=float(noise_std)))


def _summary(out_dir: str, meta: Dict[str, Any], generated: bool) -> Dict[str, Any]:
    """Builds the dict returned by the public functions from ``meta.json``'s content."""
    out_dir = osp.abspath(out_dir)
    stats = meta['stats']
    summary = dict(out_dir=out_dir, meta_file=osp.join(out_dir, META_FILE),
                   classes=list(meta['params']['classes']), params=meta['params'],
                   generated=generated)
    for split in SPLITS:
        summary[f'{split}_img_dir'] = osp.join(out_dir, split)
        summary[f'{split}_ann_file'] = osp.join(out_dir, 'annotations', f'instances_{split}.json')
        summary[f'num_{split}'] = stats[split]['num_images']
    for key in ('num_objects', 'num_dropped', 'class_counts'):
        summary[key] = {split: stats[split][key] for split in SPLITS}
    return summary


def generate_shapes_coco(out_dir: str,
                         num_train: int = 1000,
                         num_val: int = 200,
                         img_size: ImgSize = 128,
                         seed: int = 0,
                         classes: Sequence[str] = SHAPES_CLASSES,
                         min_objects: int = 1,
                         max_objects: int = 6,
                         scale_range: Sequence[float] = (0.08, 0.45),
                         min_visible: float = 0.3,
                         low_contrast_prob: float = 0.25,
                         max_clutter: int = 6,
                         noise_std: float = 6.0) -> Dict[str, Any]:
    """Writes the synthetic shapes dataset in COCO format, always (see :func:`ensure_shapes_coco`).

    Layout: ``out_dir/{train,val}/NNNNNN.png``, ``out_dir/annotations/instances_{train,val}.json``
    and ``out_dir/meta.json`` (parameters and statistics, written last).

    Args:
        out_dir: Output folder, created if needed.
        num_train: Number of training images.
        num_val: Number of validation images.
        img_size: ``(height, width)`` or one int for square images.
        seed: Seed of ``numpy.random.default_rng``. Train and val use independent child streams,
            so changing ``num_train`` leaves the validation images unchanged.
        classes: Shape names, a subset of :data:`SHAPES_CLASSES`; category ids follow this order,
            starting at 1.
        min_objects: Fewest objects placed per image (before occlusion drops).
        max_objects: Most objects placed per image.
        scale_range: Smallest and largest object diameter, as fractions of the shorter image side;
            sizes are drawn log-uniformly (never below 6 px).
        min_visible: Objects with a smaller visible fraction of their own area are dropped.
        low_contrast_prob: Probability that an object's colour is close to what lies beneath it.
        max_clutter: Most unlabelled strokes drawn on the background of an image.
        noise_std: Standard deviation of the Gaussian pixel noise, in grey levels.

    Returns:
        dict: ``out_dir``, ``meta_file``, ``{train,val}_img_dir``, ``{train,val}_ann_file``,
        ``num_train``, ``num_val``, ``classes``, ``params``, ``generated`` (True) and per-split
        dicts ``num_objects``, ``num_dropped`` and ``class_counts``.
    """
    params = _normalise_params(num_train, num_val, img_size, seed, classes, min_objects,
                               max_objects, scale_range, min_visible, low_contrast_prob,
                               max_clutter, noise_std)
    os.makedirs(osp.join(out_dir, 'annotations'), exist_ok=True)
    remove_meta(out_dir)

    # One child stream per split: the val images do not depend on how many train images there are.
    split_rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(params['seed']).spawn(2)]
    stats = {}
    for split, rng in zip(SPLITS, split_rngs):
        img_dir = osp.join(out_dir, split)
        os.makedirs(img_dir, exist_ok=True)
        clear_generated_pngs(img_dir, _IMAGE_NAME_PATTERN)
        coco, stats[split] = _generate_split(split, params[f'num_{split}'], rng, img_dir, params)
        write_json(osp.join(out_dir, 'annotations', f'instances_{split}.json'), coco)

    meta = dict(dataset='shapes_coco', params=params, stats=stats)
    write_json(osp.join(out_dir, META_FILE), meta, indent=2)
    return _summary(out_dir, meta, generated=True)


def _is_complete(out_dir: str, meta: Dict[str, Any]) -> bool:
    """Checks that every file a dataset described by ``meta`` should hold is on disk."""
    for split in SPLITS:
        if not osp.isfile(osp.join(out_dir, 'annotations', f'instances_{split}.json')):
            return False
        img_dir = osp.join(out_dir, split)
        for index in range(meta['stats'][split]['num_images']):
            if not osp.isfile(osp.join(img_dir, _IMAGE_NAME.format(index))):
                return False
    return True


def ensure_shapes_coco(out_dir: str, **kwargs) -> Dict[str, Any]:
    """Generates the shapes dataset unless ``out_dir`` already holds it with these parameters.

    Args:
        out_dir: Output folder.
        **kwargs: Any argument of :func:`generate_shapes_coco`; omitted ones take its defaults, so
            ``ensure_shapes_coco(d)`` and ``ensure_shapes_coco(d, seed=0)`` name the same dataset.

    Returns:
        dict: As :func:`generate_shapes_coco`, with ``generated`` False when nothing was written.
    """
    return ensure_generated(generate_shapes_coco, _normalise_params, _is_complete, _summary, out_dir, **kwargs)


@DATASETS.register_module()
class ShapesCocoDataset(CocoDataset):
    """The synthetic shapes dataset, read like COCO with its own class names and palette.

    Example:
        >>> info = ensure_shapes_coco('data/shapes')
        >>> ds = ShapesCocoDataset(data_root='data/shapes',
        ...                        ann_file='annotations/instances_val.json',
        ...                        data_prefix=dict(img='val/'), pipeline=[])
    """

    METAINFO = dict(classes=SHAPES_CLASSES, palette=SHAPES_PALETTE)


__all__ = [
    'SHAPES_CLASSES', 'SHAPES_PALETTE', 'ShapesCocoDataset', 'generate_shapes_coco',
    'ensure_shapes_coco', 'resolve_occlusion', 'mask_to_bbox'
]
