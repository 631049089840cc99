"""Tests of the digit scenes COCO dataset: determinism, prefixes, boxes, digit pools, caching, loading."""
import os
import os.path as osp
import runpy
import sys

import numpy as np
import pytest
from conftest import ROOT, SPLITS, load_json, read_bytes
from PIL import Image

from mmiekd.datasets import DIGIT_SCENES_CLASSES, ensure_digit_scenes, generate_digit_scenes
from mmiekd.datasets.digit_scenes import _class_stream, _render_image, digit_pools

TINY = dict(num_train=8, num_val=4)


@pytest.fixture(scope='module')
def scenes(tmp_path_factory):
    """One tiny dataset shared by the read-only tests of this module."""
    return generate_digit_scenes(str(tmp_path_factory.mktemp('scenes')), seed=0, **TINY)


def _pngs(info, split):
    img_dir = info[f'{split}_img_dir']
    return {name: read_bytes(osp.join(img_dir, name)) for name in sorted(os.listdir(img_dir))}


def test_layout_and_summary(scenes):
    assert scenes['generated'] is True
    assert scenes['num_train'] == 8 and scenes['num_val'] == 4
    assert scenes['classes'] == list(DIGIT_SCENES_CLASSES) == [str(i) for i in range(10)]
    for key in ('out_dir', 'train_img_dir', 'val_img_dir', 'train_ann_file', 'val_ann_file', 'meta_file',
                'class_counts', 'num_objects'):
        assert key in scenes
    for split in SPLITS:
        coco = load_json(scenes[f'{split}_ann_file'])
        assert [c['name'] for c in coco['categories']] == list(DIGIT_SCENES_CLASSES)
        assert [c['id'] for c in coco['categories']] == list(range(1, 11))
        assert len(coco['annotations']) == scenes['num_objects'][split] == sum(scenes['class_counts'][split].values())
        assert len(_pngs(scenes, split)) == scenes[f'num_{split}']
        for array in map(np.asarray, (Image.open(osp.join(scenes[f'{split}_img_dir'], im['file_name']))
                                      for im in coco['images'])):
            assert array.shape == (64, 64, 3) and array.dtype == np.uint8


def test_same_seed_is_byte_identical_and_other_seed_differs(scenes, tmp_path):
    again = generate_digit_scenes(str(tmp_path / 'again'), seed=0, **TINY)
    other = generate_digit_scenes(str(tmp_path / 'other'), seed=1, **TINY)
    for split in SPLITS:
        assert read_bytes(again[f'{split}_ann_file']) == read_bytes(scenes[f'{split}_ann_file'])
        assert _pngs(again, split) == _pngs(scenes, split)
        assert read_bytes(other[f'{split}_ann_file']) != read_bytes(scenes[f'{split}_ann_file'])


def test_train_prefix_and_val_independent_of_num_train(scenes, tmp_path):
    fewer = generate_digit_scenes(str(tmp_path / 'fewer'), seed=0, **dict(TINY, num_train=4))
    big, small = _pngs(scenes, 'train'), _pngs(fewer, 'train')
    assert len(small) == 4 and all(big[name] == data for name, data in small.items())
    big_anns = load_json(scenes['train_ann_file'])['annotations']
    small_anns = load_json(fewer['train_ann_file'])['annotations']
    assert small_anns == [a for a in big_anns if a['image_id'] <= 4]
    assert _pngs(fewer, 'val') == _pngs(scenes, 'val')
    assert read_bytes(fewer['val_ann_file']) == read_bytes(scenes['val_ann_file'])


@pytest.mark.parametrize('split', SPLITS)
def test_boxes_inside_disjoint_and_on_visible_digit_pixels(scenes, split):
    params = load_json(scenes['meta_file'])['params']
    coco = load_json(scenes[f'{split}_ann_file'])
    stream = _class_stream(0, split)
    for index, image_info in enumerate(coco['images']):
        image, objects, alphas, _ = _render_image(params, split, index, stream)
        # The renderer is what was written to disk.
        saved = np.asarray(Image.open(osp.join(scenes[f'{split}_img_dir'], image_info['file_name'])))
        np.testing.assert_array_equal(image, saved)
        anns = [a for a in coco['annotations'] if a['image_id'] == image_info['id']]
        assert [a['bbox'] for a in anns] == [o['bbox'] for o in objects]
        assert 1 <= len(anns) <= params['max_objects']
        for ann, alpha in zip(anns, alphas):
            x, y, w, h = ann['bbox']
            assert x >= 0 and y >= 0 and w > 0 and h > 0 and x + w <= 64 and y + h <= 64
            inside = alpha[y:y + h, x:x + w] > 0.25
            # Tight box: visible pixels fill it to all four edges, none lie outside it.
            assert inside[0].any() and inside[-1].any() and inside[:, 0].any() and inside[:, -1].any()
            assert inside.sum() == (alpha > 0.25).sum() == ann['area'] > 0
            assert alpha.max() > 0.5
            assert 1 <= ann['category_id'] <= 10
        for i, a in enumerate(anns):
            for b in anns[i + 1:]:
                (ax, ay, aw, ah), (bx, by, bw, bh) = a['bbox'], b['bbox']
                assert ax + aw <= bx or bx + bw <= ax or ay + ah <= by or by + bh <= ay


def test_val_digits_come_from_a_pool_disjoint_from_train(scenes):
    train_pool, val_pool = digit_pools(0)
    assert not set(train_pool) & set(val_pool) and len(train_pool) + len(val_pool) == 1797
    from sklearn.datasets import load_digits
    labels = load_digits().target
    used = {}
    for split, pool in zip(SPLITS, (train_pool, val_pool)):
        anns = load_json(scenes[f'{split}_ann_file'])['annotations']
        used[split] = {a['digit_index'] for a in anns}
        assert used[split] <= set(pool)
        assert all(labels[a['digit_index']] == a['category_id'] - 1 for a in anns)
    assert not used['train'] & used['val']


def test_classes_are_balanced(tmp_path):
    info = generate_digit_scenes(str(tmp_path / 'balance'), num_train=30, num_val=0)
    counts = np.array(list(info['class_counts']['train'].values()))
    assert counts.sum() == info['num_objects']['train'] >= 60
    assert counts.max() - counts.min() <= 1 + info['num_dropped']['train']


def test_ensure_does_not_rewrite_an_up_to_date_dataset(tmp_path):
    out = str(tmp_path / 'cached')
    first = ensure_digit_scenes(out, **TINY)
    assert first['generated'] is True
    files = [first['meta_file'], first['train_ann_file'], osp.join(first['train_img_dir'], '000000.png')]
    old = {p: os.stat(p).st_mtime_ns - 3600 * 10**9 for p in files}
    for path, stamp in old.items():
        os.utime(path, ns=(stamp, stamp))
    again = ensure_digit_scenes(out, **dict(TINY, seed=0, max_objects=5))
    assert again['generated'] is False and again['class_counts'] == first['class_counts']
    assert {p: os.stat(p).st_mtime_ns for p in files} == old
    assert ensure_digit_scenes(out, **dict(TINY, seed=2))['generated'] is True


def test_rejects_bad_sizes(tmp_path):
    with pytest.raises(ValueError):
        generate_digit_scenes(str(tmp_path / 'bad'), num_train=1, num_val=1, digit_size_range=(4, 10))
    with pytest.raises(ValueError):
        generate_digit_scenes(str(tmp_path / 'bad'), num_train=1, num_val=1, img_size=16)


def test_mmdet_coco_dataset_loads(scenes):
    from mmdet.datasets import CocoDataset

    dataset = CocoDataset(data_root=scenes['out_dir'], ann_file='annotations/instances_val.json',
                          data_prefix=dict(img='val/'), metainfo=dict(classes=DIGIT_SCENES_CLASSES),
                          pipeline=[], test_mode=True)
    assert len(dataset) == scenes['num_val']
    item = dataset[0]
    assert osp.isfile(item['img_path']) and item['instances']
    ann = [a for a in load_json(scenes['val_ann_file'])['annotations'] if a['image_id'] == item['img_id']]
    for instance, a in zip(item['instances'], ann):
        x, y, w, h = a['bbox']
        assert instance['bbox'] == [x, y, x + w, y + h] and instance['bbox_label'] == a['category_id'] - 1
    assert sum(len(dataset.get_data_info(i)['instances']) for i in range(len(dataset))) == scenes['num_objects']['val']


def test_command_line(tmp_path, monkeypatch, capsys):
    out = str(tmp_path / 'cli')
    script = osp.join(ROOT, 'tools', 'dataset_converters', 'make_digit_scenes.py')
    monkeypatch.setattr(sys, 'argv', [script, out, '--num-train', '2', '--num-val', '1', '--size', '48', '64'])
    runpy.run_path(script, run_name='__main__')
    assert 'wrote' in capsys.readouterr().out
    params = load_json(osp.join(out, 'meta.json'))['params']
    assert params['num_train'] == 2 and params['img_size'] == [48, 64]
