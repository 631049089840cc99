"""Every recipe parses, inherits its upstream config and builds its real models (teacher_ckpt left out)."""
import glob
import os.path as osp

import pytest
from conftest import ROOT
from mmengine.config import Config

from mmiekd.registry import MODELS
from mmiekd.utils import register_all_modules, with_build_scopes

RECIPES = sorted(p for p in glob.glob(osp.join(ROOT, 'configs', '*', '*.py')) + glob.glob(
    osp.join(ROOT, 'configs', '*', '*', '*.py')) if '_base_' not in p)


def build_model(cfg):
    model_cfg = dict(cfg.model)
    if 'teacher_ckpt' in model_cfg:
        model_cfg['teacher_ckpt'] = None  # the real checkpoints are not on this machine
    if cfg.get('data_preprocessor'):
        model_cfg.setdefault('data_preprocessor', cfg.data_preprocessor)
    with pytest.warns(UserWarning, match='teacher_ckpt') if 'teacher' in model_cfg else _no_warning():
        return MODELS.build(with_build_scopes(model_cfg))


class _no_warning:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.mark.parametrize('path', RECIPES, ids=[osp.relpath(p, ROOT) for p in RECIPES])
def test_recipe_builds(path):
    register_all_modules(init_default_scope=False)
    cfg = Config.fromfile(path)
    assert cfg.get('default_scope') in ('mmdet', 'mmpretrain'), 'recipes inherit an upstream runtime'
    assert cfg.train_dataloader and cfg.optim_wrapper and cfg.train_cfg
    model = build_model(cfg)
    if hasattr(model, 'teacher'):
        assert cfg.get('runner_type') == 'mmiekd.DistillRunner', 'recipes select the crash-safe runner'
        assert all(not p.requires_grad for p in model.teacher.parameters())
        assert getattr(model, 'terms', None) or hasattr(model, 'ie_student') or hasattr(model, 'stages') \
            or hasattr(model, 'blocks'), \
            'a distillation recipe distils something'


def test_detection_recipe_uses_mmdets_own_models():
    cfg = Config.fromfile(osp.join(ROOT, 'configs', 'kd', 'fitnet_faster_rcnn_r50_r101.py'))
    model = build_model(cfg)
    assert type(model.student).__name__ == 'FasterRCNN' and model.student.backbone.depth == 50
    assert type(model.teacher).__name__ == 'FasterRCNN' and model.teacher.backbone.depth == 101
    assert cfg.train_cfg.max_epochs == 12 and cfg.train_dataloader.dataset.type == 'CocoDataset'
