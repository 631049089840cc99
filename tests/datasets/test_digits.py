"""Tests of the sklearn digits conversion: counts, split, images, mmpretrain loading, caching."""
import hashlib
import os
import os.path as osp
import runpy
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from mmiekd.datasets import ensure_digits, generate_digits
from mmiekd.datasets.digits import DIGITS_CLASSES, stratified_split

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
NUM_DIGITS = 1797
SPLITS = ('train', 'val')


@pytest.fixture(scope='module')
def digits(tmp_path_factory):
    """The default 32 px conversion, shared by the read-only tests of this module."""
    return generate_digits(str(tmp_path_factory.mktemp('digits')), size=32, seed=0)


@pytest.fixture(scope='module')
def sklearn_labels():
    from sklearn.datasets import load_digits

    return np.asarray(load_digits().target)


def _listing(root):
    """Returns ``{split: {class: sorted file names}}`` for a generated folder."""
    return {split: {name: sorted(os.listdir(osp.join(root, split, name)))
                    for name in DIGITS_CLASSES} for split in SPLITS}


def _digest(root):
    """Hashes every generated file's relative path and content."""
    digest = hashlib.sha256()
    for split, classes in _listing(root).items():
        for name, files in classes.items():
            for file_name in files:
                digest.update(f'{split}/{name}/{file_name}'.encode())
                with open(osp.join(root, split, name, file_name), 'rb') as f:
                    digest.update(f.read())
    return digest.hexdigest()


def test_counts_and_stratified_split(digits, sklearn_labels):
    listing = _listing(digits['out_dir'])
    assert digits['num_train'] + digits['num_val'] == NUM_DIGITS
    per_class = np.bincount(sklearn_labels, minlength=10)
    seen = set()
    for label, name in enumerate(DIGITS_CLASSES):
        num_val = len(listing['val'][name])
        num_train = len(listing['train'][name])
        assert num_val == round(per_class[label] * 0.2)  # stratified: each class split 80/20
        assert num_train + num_val == per_class[label]
        assert digits['class_counts']['val'][name] == num_val
        indices = [int(f[:-4]) for split in SPLITS for f in listing[split][name]]
        # File names are sklearn indices: each sample once, in the folder of its own label.
        assert all(sklearn_labels[i] == label for i in indices)
        seen.update(indices)
    assert seen == set(range(NUM_DIGITS))


def test_image_format(digits):
    from sklearn.datasets import load_digits

    source = load_digits().images
    class_dir = osp.join(digits['train_dir'], '7')
    for file_name in sorted(os.listdir(class_dir))[:5]:
        image = Image.open(osp.join(class_dir, file_name))
        assert image.mode == 'RGB'
        array = np.asarray(image)
        assert array.shape == (32, 32, 3) and array.dtype == np.uint8
        assert (array[..., 0] == array[..., 1]).all() and (array[..., 1] == array[..., 2]).all()
        # Upscaling keeps the digit: block means follow the 8x8 source (0..16 -> 0..255).
        blocks = array[..., 0].reshape(8, 4, 8, 4).mean(axis=(1, 3))
        expected = source[int(file_name[:-4])] * (255 / 16)
        assert np.corrcoef(blocks.ravel(), expected.ravel())[0, 1] > 0.9


def test_split_is_deterministic(sklearn_labels):
    def split(seed):
        return stratified_split(sklearn_labels, 0.2, np.random.default_rng(seed))

    assert split(0) == split(0)
    assert split(0) != split(1)
    train, val = split(0)
    assert not set(train) & set(val) and len(train) + len(val) == NUM_DIGITS


def test_same_seed_gives_identical_files(digits, tmp_path):
    again = generate_digits(str(tmp_path / 'again'), size=32, seed=0)
    assert _digest(again['out_dir']) == _digest(digits['out_dir'])
    other = generate_digits(str(tmp_path / 'other'), size=32, seed=1)
    assert _listing(other['out_dir']) != _listing(digits['out_dir'])


def test_mmpretrain_custom_dataset_reads_it(digits):
    from mmpretrain.datasets import CustomDataset

    for split in SPLITS:
        dataset = CustomDataset(data_root=digits['out_dir'], data_prefix=split, pipeline=[])
        assert len(dataset) == digits[f'num_{split}']
        assert tuple(dataset.CLASSES) == DIGITS_CLASSES
        labels = dataset.get_gt_labels()
        counts = np.bincount(labels, minlength=10)
        assert counts.tolist() == list(digits['class_counts'][split].values())
        # Folder '3' must map to label 3 (sorted folder names '0'..'9' make it so).
        for index in (0, len(dataset) // 2, len(dataset) - 1):
            info = dataset.get_data_info(index)
            assert osp.basename(osp.dirname(info['img_path'])) == str(info['gt_label'])


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
    first = ensure_digits(out, size=16)
    assert first['generated'] is True
    sample = [first['meta_file'], osp.join(first['train_dir'], '0', os.listdir(
        osp.join(first['train_dir'], '0'))[0])]
    stamps = _age_files(sample)

    again = ensure_digits(out, size=16, seed=0, val_fraction=0.2)  # explicit defaults: same dataset
    assert again['generated'] is False
    assert {p: os.stat(p).st_mtime_ns for p in stamps} == stamps

    changed = ensure_digits(out, size=24)
    assert changed['generated'] is True
    assert all(os.stat(p).st_mtime_ns != old for p, old in stamps.items())
    assert np.asarray(Image.open(sample[1])).shape == (24, 24, 3)


def test_ensure_regenerates_missing_files(tmp_path):
    out = str(tmp_path / 'damaged')
    info = ensure_digits(out, size=8)
    class_dir = osp.join(info['val_dir'], '4')
    os.remove(osp.join(class_dir, sorted(os.listdir(class_dir))[0]))
    assert ensure_digits(out, size=8)['generated'] is True
    assert len(os.listdir(class_dir)) == info['class_counts']['val']['4']


def test_package_import_is_light():
    """Importing mmiekd.datasets must not load scikit-learn (imported lazily) nor mmpretrain."""
    code = ('import sys, mmiekd.datasets; '
            'print(",".join(m for m in ("sklearn", "mmpretrain") if m in sys.modules))')
    env = dict(os.environ, PYTHONPATH=REPO_ROOT + os.pathsep + os.environ.get('PYTHONPATH', ''))
    result = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, env=env,
                            cwd=REPO_ROOT, check=True)
    assert result.stdout.strip() == ''


def test_command_line(tmp_path, monkeypatch, capsys):
    out = str(tmp_path / 'cli')
    script = osp.join(REPO_ROOT, 'tools', 'dataset_converters', 'make_digits.py')
    monkeypatch.setattr(sys, 'argv', [script, out, '--size', '8', '--seed', '2'])
    runpy.run_path(script, run_name='__main__')
    printed = capsys.readouterr().out
    assert 'wrote' in printed and 'train: ' in printed
    monkeypatch.setattr(sys, 'argv', [script, out, '--size', '8', '--seed', '2'])
    runpy.run_path(script, run_name='__main__')
    assert 'already up to date' in capsys.readouterr().out


def test_cluttered_variant_same_split_other_images_deterministic(digits, tmp_path, sklearn_labels):
    """``clutter`` (the classification track's harder data): the same files and split as the plain digits,
    other pixels (shrunk digit among fragments and noise), identical for the same seed; 0 gives the plain data."""
    out = str(tmp_path / 'clutter')
    info = generate_digits(out, size=32, seed=0, clutter=0.5)
    assert info['params']['clutter'] == 0.5 and 'clutter' not in digits['params']
    assert _listing(out) == _listing(digits['out_dir'])
    name = _listing(out)['train']['3'][0]
    plain = np.asarray(Image.open(osp.join(digits['out_dir'], 'train', '3', name)))
    cluttered = np.asarray(Image.open(osp.join(out, 'train', '3', name)))
    assert cluttered.shape == plain.shape == (32, 32, 3) and cluttered.dtype == np.uint8
    assert not np.array_equal(cluttered, plain)
    # noise everywhere: the plain digit's blank corners are not blank any more
    assert (plain[:2, :2] == 0).all() and (cluttered == 0).mean() < 0.5
    generate_digits(str(tmp_path / 'again'), size=32, seed=0, clutter=0.5)
    assert _digest(str(tmp_path / 'again')) == _digest(out)
    generate_digits(str(tmp_path / 'zero'), size=32, seed=0, clutter=0.0)
    assert _digest(str(tmp_path / 'zero')) == _digest(digits['out_dir'])
    with pytest.raises(ValueError, match=r'clutter must be in \[0, 1\], got 2'):
        generate_digits(str(tmp_path / 'bad'), clutter=2)


def test_train_per_class_is_a_labelled_subset_with_the_same_val(digits, tmp_path, sklearn_labels):
    """``train_per_class`` (the students' data of the classification track): the first N train images of each
    class of the same split, byte-identical to the full set's, and the same val split."""
    out = str(tmp_path / 'subset')
    info = generate_digits(out, size=32, seed=0, train_per_class=5)
    assert info['num_train'] == 50 and info['num_val'] == digits['num_val']
    assert info['params']['train_per_class'] == 5 and 'train_per_class' not in digits['params']
    full, subset = _listing(digits['out_dir']), _listing(out)
    assert subset['val'] == full['val']
    for name in DIGITS_CLASSES:
        assert subset['train'][name] == full['train'][name][:5]
        for file_name in subset['train'][name]:
            with open(osp.join(out, 'train', name, file_name), 'rb') as a, \
                    open(osp.join(digits['out_dir'], 'train', name, file_name), 'rb') as b:
                assert a.read() == b.read()
    with pytest.raises(ValueError, match='train_per_class must be a whole number >= 0'):
        generate_digits(str(tmp_path / 'bad'), train_per_class=-1)
