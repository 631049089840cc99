"""Tests of the synthetic shapes COCO dataset: files, determinism, annotations, loaders, caching."""
import os
import os.path as osp
import runpy
import sys

import numpy as np
import pytest
from PIL import Image

from conftest import ROOT, SPLITS, load_json, read_bytes
from mmiekd.datasets import (SHAPES_CLASSES, ShapesCocoDataset, ensure_shapes_coco,
                             generate_shapes_coco)
from mmiekd.datasets.shapes_coco import resolve_occlusion

TINY = dict(num_train=8, num_val=4, img_size=64)


@pytest.fixture(scope='module')
def shapes(tmp_path_factory):
    """One tiny dataset shared by the read-only tests of this module."""
    return generate_shapes_coco(str(tmp_path_factory.mktemp('shapes')), seed=0, **TINY)


def _split_images(info, split):
    """Returns ``{file_name: uint8 array}`` for every image of a split."""
    coco = load_json(info[f'{split}_ann_file'])
    img_dir = info[f'{split}_img_dir']
    return {im['file_name']: np.asarray(Image.open(osp.join(img_dir, im['file_name'])))
            for im in coco['images']}


def _generated_files(info):
    files = [info['meta_file']]
    for split in SPLITS:
        files.append(info[f'{split}_ann_file'])
        img_dir = info[f'{split}_img_dir']
        files += [osp.join(img_dir, name) for name in sorted(os.listdir(img_dir))]
    return files


def _square_mask(x0, x1, y0=0, y1=10, size=12):
    mask = np.zeros((size, size), dtype=bool)
    mask[y0:y1, x0:x1] = True
    return mask


# ------------------------------------------------------------------------------------------------
# Layout and determinism
# ------------------------------------------------------------------------------------------------
def test_layout_and_summary(shapes):
    assert shapes['generated'] is True
    assert shapes['num_train'] == 8 and shapes['num_val'] == 4
    assert shapes['classes'] == list(SHAPES_CLASSES)
    for split in SPLITS:
        assert osp.isfile(shapes[f'{split}_ann_file'])
        assert shapes[f'{split}_ann_file'].endswith(f'annotations/instances_{split}.json')
        pngs = [f for f in os.listdir(shapes[f'{split}_img_dir']) if f.endswith('.png')]
        assert len(pngs) == shapes[f'num_{split}']
        coco = load_json(shapes[f'{split}_ann_file'])
        assert shapes['num_objects'][split] == len(coco['annotations'])
    meta = load_json(shapes['meta_file'])
    assert meta['params']['img_size'] == [64, 64] and meta['params']['seed'] == 0


def test_same_seed_is_byte_identical(shapes, tmp_path):
    again = generate_shapes_coco(str(tmp_path / 'again'), seed=0, **TINY)
    for split in SPLITS:
        assert read_bytes(again[f'{split}_ann_file']) == read_bytes(shapes[f'{split}_ann_file'])
        first, second = _split_images(shapes, split), _split_images(again, split)
        assert first.keys() == second.keys()
        for name in first:
            np.testing.assert_array_equal(first[name], second[name])


def test_different_seed_differs(shapes, tmp_path):
    other = generate_shapes_coco(str(tmp_path / 'other'), seed=1, **TINY)
    for split in SPLITS:
        assert read_bytes(other[f'{split}_ann_file']) != read_bytes(shapes[f'{split}_ann_file'])
        first, second = _split_images(shapes, split), _split_images(other, split)
        assert all(not np.array_equal(first[name], second[name]) for name in first)


def test_val_split_does_not_depend_on_num_train(shapes, tmp_path):
    # Train and val draw from independent child streams of the seed.
    fewer = generate_shapes_coco(str(tmp_path / 'fewer'), seed=0, **dict(TINY, num_train=3))
    assert read_bytes(fewer['val_ann_file']) == read_bytes(shapes['val_ann_file'])


def test_non_square_images(tmp_path):
    info = generate_shapes_coco(str(tmp_path / 'wide'), num_train=3, num_val=1, img_size=(48, 80))
    coco = load_json(info['train_ann_file'])
    for image in coco['images']:
        assert (image['height'], image['width']) == (48, 80)
    for array in _split_images(info, 'train').values():
        assert array.shape == (48, 80, 3)
    for ann in coco['annotations']:
        x, y, w, h = ann['bbox']
        assert x + w <= 80 and y + h <= 48


def test_rejects_unknown_class(tmp_path):
    with pytest.raises(ValueError):
        generate_shapes_coco(str(tmp_path / 'bad'), num_train=1, num_val=1,
                             classes=('circle', 'blob'))


# ------------------------------------------------------------------------------------------------
# Annotations
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize('split', SPLITS)
def test_coco_json_is_valid(shapes, split):
    from pycocotools.coco import COCO

    coco = COCO(shapes[f'{split}_ann_file'])
    assert len(coco.getImgIds()) == shapes[f'num_{split}']
    assert [c['name'] for c in coco.loadCats(coco.getCatIds())] == list(SHAPES_CLASSES)
    assert sorted(coco.getCatIds()) == list(range(1, len(SHAPES_CLASSES) + 1))

    arrays = _split_images(shapes, split)
    for image in coco.loadImgs(coco.getImgIds()):
        height, width = image['height'], image['width']
        assert arrays[image['file_name']].shape == (height, width, 3)
        anns = coco.loadAnns(coco.getAnnIds(imgIds=image['id']))
        assert anns, 'the topmost object is always kept, so no image is empty'
        for ann in anns:
            x, y, w, h = ann['bbox']
            assert w > 0 and h > 0
            assert x >= 0 and y >= 0 and x + w <= width and y + h <= height
            # The area counts visible pixels, which all lie inside the (visible) box.
            assert 0 < ann['area'] <= w * h
            assert ann['category_id'] in coco.getCatIds()
            assert ann['iscrowd'] == 0 and ann['segmentation'] == []
    ann_ids = coco.getAnnIds()
    assert len(set(ann_ids)) == len(ann_ids) and min(ann_ids) >= 1


def test_class_balance(tmp_path):
    """Classes are placed from shuffled copies of the class list, so before occlusion drops the
    per-class counts of a split differ by at most one. Each dropped object lowers one class by
    one, hence the exact bound ``max - min <= 1 + num_dropped``; and drops must stay rare (under
    15 % of the objects) for the bound to mean "roughly balanced"."""
    info = generate_shapes_coco(str(tmp_path / 'balance'), num_train=60, num_val=0, img_size=64)
    counts = np.array(list(info['class_counts']['train'].values()))
    dropped = info['num_dropped']['train']
    assert counts.sum() == info['num_objects']['train'] > 100
    assert dropped < 0.15 * (counts.sum() + dropped)
    assert counts.max() - counts.min() <= 1 + dropped
    assert counts.min() >= 0.7 * counts.mean()


def test_occlusion_drops_hidden_object():
    bottom = _square_mask(0, 10)  # 100 px
    top = _square_mask(2, 12)  # covers 80 of them: 20 % visible, below the 30 % threshold
    kept = resolve_occlusion([bottom, top], min_visible=0.3)
    assert [index for index, _ in kept] == [1]


def test_occlusion_keeps_partly_visible_object_with_visible_box():
    from mmiekd.datasets.shapes_coco import mask_to_bbox

    bottom = _square_mask(0, 10)
    top = _square_mask(5, 12)  # covers half of the bottom square
    kept = resolve_occlusion([bottom, top], min_visible=0.3)
    assert [index for index, _ in kept] == [0, 1]
    # The bottom object's box is that of its visible part, not of the full square.
    assert mask_to_bbox(kept[0][1]) == [0, 0, 5, 10]
    assert kept[0][1].sum() == 50


def test_dropped_objects_occlude_nothing():
    # The middle object is hidden by the top one, so it is not drawn and the bottom one, which it
    # alone would have hidden, is fully visible.
    bottom = _square_mask(0, 5, size=20)  # entirely under the middle object
    middle = _square_mask(0, 10, size=20)
    top = _square_mask(2, 12, size=20)  # leaves 20 % of the middle object, 40 % of the bottom one
    kept = resolve_occlusion([bottom, middle, top], min_visible=0.3)
    assert [index for index, _ in kept] == [0, 2]
    assert kept[0][1].sum() == 20  # columns 0 and 1 of the bottom object


def test_occlusion_drops_slivers():
    thin = _square_mask(0, 2)  # 2 px wide
    top = _square_mask(1, 12)  # leaves a 1 px wide column: 50 % visible but too thin to box
    assert [index for index, _ in resolve_occlusion([thin, top], min_visible=0.3)] == [1]


def test_generated_data_has_occlusion_drops(tmp_path):
    crowded = generate_shapes_coco(str(tmp_path / 'crowded'), num_train=6, num_val=0, img_size=64,
                                   min_objects=6, max_objects=6, scale_range=(0.4, 0.6))
    assert crowded['num_dropped']['train'] > 0
    assert crowded['num_objects']['train'] + crowded['num_dropped']['train'] == 36


# ------------------------------------------------------------------------------------------------
# Loaders
# ------------------------------------------------------------------------------------------------
def test_mmdet_coco_dataset_loads(shapes):
    from mmdet.datasets import CocoDataset

    dataset = CocoDataset(data_root=shapes['out_dir'], ann_file='annotations/instances_train.json',
                          data_prefix=dict(img='train/'), metainfo=dict(classes=SHAPES_CLASSES),
                          pipeline=[])
    assert len(dataset) == shapes['num_train']
    num_instances = 0
    for index in range(len(dataset)):
        info = dataset.get_data_info(index)
        assert osp.isfile(info['img_path'])
        for instance in info['instances']:
            x1, y1, x2, y2 = instance['bbox']
            assert 0 <= x1 < x2 <= info['width'] and 0 <= y1 < y2 <= info['height']
            assert 0 <= instance['bbox_label'] < len(SHAPES_CLASSES)
            assert instance['ignore_flag'] == 0
        num_instances += len(info['instances'])
    assert num_instances == shapes['num_objects']['train']


def test_shapes_dataset_builds_from_registry(shapes):
    from mmengine.registry import DefaultScope

    from mmiekd.registry import DATASETS
    with DefaultScope.overwrite_default_scope('mmiekd'):  # whatever scope an earlier test left current
        dataset = DATASETS.build(
            dict(type='ShapesCocoDataset', data_root=shapes['out_dir'],
                 ann_file='annotations/instances_val.json', data_prefix=dict(img='val/'),
                 pipeline=[]))
    assert isinstance(dataset, ShapesCocoDataset)
    assert len(dataset) == shapes['num_val']
    assert tuple(dataset.metainfo['classes']) == SHAPES_CLASSES
    assert len(dataset.metainfo['palette']) == len(SHAPES_CLASSES)
    labels = [i['bbox_label'] for index in range(len(dataset))
              for i in dataset.get_data_info(index)['instances']]
    assert len(labels) == shapes['num_objects']['val']


# ------------------------------------------------------------------------------------------------
# ensure_shapes_coco and the command line
# ------------------------------------------------------------------------------------------------
def _age_files(files, seconds=3600):
    """Moves the files' mtimes into the past, so a rewrite shows whatever the clock resolution."""
    stamps = {}
    for path in files:
        old = os.stat(path).st_mtime_ns - seconds * 10**9
        os.utime(path, ns=(old, old))
        stamps[path] = old
    return stamps


def test_ensure_generates_once(tmp_path):
    out = str(tmp_path / 'cached')
    first = ensure_shapes_coco(out, **TINY)
    assert first['generated'] is True
    stamps = _age_files(_generated_files(first))

    # Same parameters, once implicit and once explicit defaults: nothing is rewritten.
    for kwargs in (TINY, dict(TINY, seed=0, max_objects=6)):
        again = ensure_shapes_coco(out, **kwargs)
        assert again['generated'] is False
        assert again['class_counts'] == first['class_counts']
        assert {p: os.stat(p).st_mtime_ns for p in stamps} == stamps

    changed = ensure_shapes_coco(out, **dict(TINY, seed=3))
    assert changed['generated'] is True
    assert all(os.stat(p).st_mtime_ns != old for p, old in stamps.items())
    assert load_json(changed['meta_file'])['params']['seed'] == 3


def test_ensure_regenerates_missing_files(tmp_path):
    out = str(tmp_path / 'damaged')
    info = ensure_shapes_coco(out, **TINY)
    os.remove(osp.join(info['train_img_dir'], '000003.png'))
    assert ensure_shapes_coco(out, **TINY)['generated'] is True
    assert osp.isfile(osp.join(info['train_img_dir'], '000003.png'))


def test_regeneration_removes_stale_images(tmp_path):
    out = str(tmp_path / 'shrink')
    generate_shapes_coco(out, **TINY)
    info = generate_shapes_coco(out, **dict(TINY, num_train=2))
    assert sorted(os.listdir(info['train_img_dir'])) == ['000000.png', '000001.png']


def test_command_line(tmp_path, monkeypatch, capsys):
    out = str(tmp_path / 'cli')
    script = osp.join(ROOT, 'tools', 'dataset_converters', 'make_shapes_coco.py')
    monkeypatch.setattr(sys, 'argv', [script, out, '--num-train', '2', '--num-val', '1', '--size',
                                      '48', '64', '--seed', '5'])
    runpy.run_path(script, run_name='__main__')
    printed = capsys.readouterr().out
    assert 'wrote' in printed and 'instances_train.json' in printed
    params = load_json(osp.join(out, 'meta.json'))['params']
    assert params['num_train'] == 2 and params['img_size'] == [48, 64] and params['seed'] == 5
