"""Recipes inherit mmdet's own models. (Every recipe's real models are built and checked by
tests/tools/test_preview_schedule.py, which dry-runs each recipe's schedule around them.)"""
import os.path as osp

import pytest
from conftest import ROOT
from mmengine.config import Config

from mmiekd.registry import MODELS
from mmiekd.utils import register_all_modules, with_build_scopes


def test_detection_recipe_uses_mmdets_own_models():
    register_all_modules(init_default_scope=False)
    cfg = Config.fromfile(osp.join(ROOT, 'configs', 'kd', 'fitnet_faster_rcnn_r50_r101.py'))
    with pytest.warns(UserWarning, match='teacher_ckpt'):
        model = MODELS.build(with_build_scopes(dict(cfg.model, teacher_ckpt=None)))
    assert type(model.student).__name__ == 'FasterRCNN' and model.student.backbone.depth == 50
    assert type(model.teacher).__name__ == 'FasterRCNN' and model.teacher.backbone.depth == 101
    assert cfg.train_cfg.max_epochs == 12 and cfg.train_dataloader.dataset.type == 'CocoDataset'
