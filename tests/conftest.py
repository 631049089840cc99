"""Shared fixtures: generated data and tiny configs (a few channels, 64 px images, a handful of steps)."""
import json
import os
import os.path as osp
import subprocess
import sys

import pytest

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
TOOLS = osp.join(ROOT, 'tools')
SPLITS = ('train', 'val')


def load_json(path):
    with open(path, encoding='utf-8') as f:
        return json.load(f)


def read_bytes(path):
    with open(path, 'rb') as f:
        return f.read()

TINY_RUNTIME = '''
img_scale = (64, 64)
train_dataloader = dict(batch_size=2, dataset=dict(data_root='{data}/',
    pipeline=[dict(type='LoadImageFromFile'), dict(type='LoadAnnotations', with_bbox=True),
              dict(type='Resize', scale=img_scale, keep_ratio=True), dict(type='PackDetInputs')]))
_test_pipeline = [dict(type='LoadImageFromFile'), dict(type='Resize', scale=img_scale, keep_ratio=True),
                  dict(type='LoadAnnotations', with_bbox=True),
                  dict(type='PackDetInputs', meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                                                        'scale_factor'))]
val_dataloader = dict(batch_size=2, dataset=dict(data_root='{data}/', pipeline=_test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file='{data}/annotations/instances_val.json')
test_evaluator = val_evaluator
train_cfg = dict(max_iters={iters}, val_interval={iters})
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = []
optim_wrapper = dict(optimizer=dict(lr=0.01))
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(by_epoch=False, interval={iters}))
log_processor = dict(by_epoch=False)
env_cfg = dict(dist_cfg=dict(backend='gloo'))
randomness = dict(seed=0)  # same weights and data order on every run: no test depends on a lucky draw
'''


@pytest.fixture(scope='session')
def shapes_data(tmp_path_factory):
    """A tiny shapes dataset in COCO format: 8 train and 4 val images of 64 px."""
    from mmiekd.datasets import generate_shapes_coco
    out = tmp_path_factory.mktemp('shapes_coco')
    generate_shapes_coco(str(out), num_train=8, num_val=4, img_size=64, seed=0)
    return str(out)


def write_config(path, text: str) -> str:
    with open(path, 'w') as f:
        f.write(text)
    return str(path)


def tiny_recipe_config(path, recipe: str, data: str, iters: int, extra: str = '') -> str:
    """Writes a config running ``configs/<recipe>`` on the test data for ``iters`` iterations, plus ``extra``."""
    return write_config(path, f"_base_ = ['{ROOT}/configs/{recipe}']\n" + TINY_RUNTIME.format(data=data, iters=iters)
                        + extra)


@pytest.fixture(scope='session')
def digits_data(tmp_path_factory):
    """The embedded digits dataset (scikit-learn's real 8x8 digits) at 32 px, written once per session."""
    from mmiekd.datasets import generate_digits
    out = str(tmp_path_factory.mktemp('digits'))
    generate_digits(out, size=32, seed=0)
    return out


def train_digits_recipe(recipe: str, work_dir: str, data: str, iters: int, *options, batch_size: int = 8,
                        flags=()):
    """Trains ``configs/<recipe>`` on the digits data for ``iters`` iterations through tools/train.py (one
    validation and one checkpoint at the end, a log line per iteration); ``options`` are more --cfg-options,
    ``flags`` more tools/train.py flags (``--amp``)."""
    return run_tool('tools/train.py', osp.join(ROOT, 'configs', recipe), '--work-dir', work_dir, *flags,
                    '--cfg-options',
                    f'train_dataloader.dataset.data_root={data}', f'val_dataloader.dataset.data_root={data}',
                    f'train_dataloader.batch_size={batch_size}', f'train_cfg.max_iters={iters}',
                    f'train_cfg.val_interval={iters}', 'default_hooks.logger.interval=1',
                    f'default_hooks.checkpoint.interval={iters}', *options)


@pytest.fixture
def plain_mmdet_config(tmp_path, shapes_data):
    """A plain mmdet config (no mmiekd type in it): tiny Faster R-CNN on the shapes data, 2 iterations."""
    return tiny_recipe_config(tmp_path / 'tiny_faster_rcnn.py', '_base_/tiny/faster_rcnn_r18c8_shapes.py',
                              shapes_data, 2)


@pytest.fixture
def tiny_fitnet_config(tmp_path, shapes_data):
    """The FitNet recipe (configs/kd/tiny) on the test data, 2 iterations."""
    return tiny_recipe_config(tmp_path / 'tiny_fitnet.py', 'kd/tiny/fitnet_faster_rcnn_tiny_shapes.py', shapes_data, 2)


def run_tool(*args, env=None, timeout=600, check=True):
    """Runs a tools/ script in a subprocess with this interpreter; returns the CompletedProcess."""
    full_env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get('PYTHONPATH', ''))
    full_env.update(env or {})
    proc = subprocess.run([sys.executable, *args], cwd=ROOT, env=full_env, capture_output=True, text=True,
                          timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f'{args} failed ({proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-6000:]}')
    return proc


def tiny_classifier(base_channels: int = 8, num_classes: int = 10, **preprocessor) -> dict:
    """An mmpretrain ImageClassifier with a CIFAR ResNet-18 of ``base_channels`` (last stage 8x wider)."""
    model = dict(
        type='mmpretrain.ImageClassifier',
        backbone=dict(type='ResNet_CIFAR', depth=18, stem_channels=base_channels,
                      base_channels=base_channels),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(type='LinearClsHead', num_classes=num_classes, in_channels=8 * base_channels,
                  loss=dict(type='CrossEntropyLoss')))
    if preprocessor:
        model['data_preprocessor'] = dict(type='ClsDataPreprocessor', **preprocessor)
    return model


def classification_batch(n: int = 4, size: int = 32, num_classes: int = 10, seed: int = 0) -> dict:
    """A data batch as a dataloader gives it: uint8 images and labelled DataSamples."""
    import torch
    from mmpretrain.structures import DataSample
    g = torch.Generator().manual_seed(seed)
    inputs = [torch.randint(0, 256, (3, size, size), generator=g, dtype=torch.uint8) for _ in range(n)]
    samples = [DataSample().set_gt_label(int(torch.randint(0, num_classes, (1, ), generator=g)))
               for _ in range(n)]
    return dict(inputs=inputs, data_samples=samples)


def seed_all(seed: int) -> None:
    """Seeds Python's, NumPy's and PyTorch's global generators."""
    import random

    import numpy as np
    import torch
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def global_draws():
    """One draw of each global generator (Python, NumPy, PyTorch)."""
    import random

    import numpy as np
    import torch
    return torch.rand(4), np.random.rand(2), random.random()


def assert_same_draws(got, expected) -> None:
    import numpy as np
    import torch
    assert torch.equal(got[0], expected[0]) and np.array_equal(got[1], expected[1]) and got[2] == expected[2]
