"""One config may mix mmiekd, mmdet and mmpretrain types, whatever its default scope."""
import pytest
from conftest import tiny_classifier
from mmengine import DefaultScope
from mmengine.config import Config
from mmengine.registry import MODELS as ROOT_MODELS

import mmiekd
from mmiekd.registry import DATASETS, HOOKS, LOOPS, MODELS, OPTIM_WRAPPERS, RUNNERS
from mmiekd.utils import load_model_cfg, register_all_modules, resolve_config_path, with_build_scopes
from mmiekd.utils.model_config import mmiekd_config_paths


@pytest.fixture(autouse=True)
def default_scope_restored():
    """The default scope these tests set (``register_all_modules(init_default_scope=True)``) ends with them:
    tests run after them build with no default scope, as they do alone."""
    instances = dict(DefaultScope._instance_dict)
    yield
    DefaultScope._instance_dict.clear()
    DefaultScope._instance_dict.update(instances)


def test_registries_are_scoped_children_with_lazy_locations():
    for registry in (MODELS, HOOKS, LOOPS, DATASETS, RUNNERS, OPTIM_WRAPPERS):
        assert registry.scope == 'mmiekd'
        assert registry.parent is not None and registry.parent.scope == 'mmengine'
        assert registry._locations, f'{registry.name} has no locations='
    assert isinstance(mmiekd.__version__, str) and mmiekd.__version__.count('.') == 2


def test_default_scope_mmiekd_builds_mmdet_mmpretrain_and_own_types():
    register_all_modules(init_default_scope=True)
    assert DefaultScope.get_current_instance().scope_name == 'mmiekd'
    detector_cfg = load_model_cfg(dict(cfg_path='mmdet::faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py',
                                       backbone=dict(depth=18, base_channels=8, init_cfg=None),
                                       neck=dict(in_channels=[8, 16, 32, 64])), 'detector').to_dict()
    detector_cfg.pop('_scope_')
    detector_cfg['type'] = 'mmdet.FasterRCNN'  # as a user writes it in a default_scope='mmiekd' config
    cfg = Config(dict(default_scope='mmiekd', detector=detector_cfg, classifier=tiny_classifier(4),
                      connector=dict(type='ConvConnector', in_channels=2, out_channels=3)))
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        detector = ROOT_MODELS.build(with_build_scopes(cfg.detector))
        classifier = ROOT_MODELS.build(with_build_scopes(cfg.classifier))
        connector = ROOT_MODELS.build(with_build_scopes(cfg.connector))
    assert type(detector).__module__.startswith('mmdet.')
    assert type(detector.backbone).__module__.startswith('mmdet.'), 'mmdet ResNet, not mmpretrain ResNet'
    assert type(classifier).__module__.startswith('mmpretrain.')
    assert type(classifier.backbone).__module__.startswith('mmpretrain.')
    assert type(connector).__module__.startswith('mmiekd.')


def test_with_build_scopes_moves_prefix_to_scope():
    cfg = with_build_scopes(dict(type='mmdet.FasterRCNN', backbone=dict(type='ResNet'),
                                 extra=[dict(type='mmpretrain.ResNet')], other=dict(type='torch.nn.ReLU')))
    assert cfg['type'] == 'FasterRCNN' and cfg['_scope_'] == 'mmdet'
    assert '_scope_' not in cfg['backbone']
    assert cfg['extra'][0] == dict(type='ResNet', _scope_='mmpretrain')
    assert cfg['other'] == dict(type='torch.nn.ReLU'), 'unknown prefixes are left alone'


def test_load_model_cfg_forms(tmp_path):
    from_pkg = load_model_cfg('mmdet::faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py', 'student')
    assert from_pkg.type == 'FasterRCNN' and from_pkg._scope_ == 'mmdet'
    local = tmp_path / 'local.py'
    local.write_text("default_scope = 'mmpretrain'\nmodel = dict(type='ImageClassifier', backbone=dict(type='ResNet', depth=18))\n")
    from_file = load_model_cfg(str(local), 'teacher')
    assert from_file._scope_ == 'mmpretrain' and from_file.backbone.depth == 18
    derived = load_model_cfg(dict(cfg_path=str(local), backbone=dict(depth=34)), 'teacher')
    assert derived.backbone == dict(type='ResNet', depth=34)
    with pytest.raises(FileNotFoundError, match='`teacher`.*does not exist'):
        load_model_cfg(str(tmp_path / 'missing.py'), 'teacher')
    with pytest.raises(FileNotFoundError, match='`student`.*mmdet::nope/none.py.*does not exist'):
        load_model_cfg('mmdet::nope/none.py', 'student')
    with pytest.raises(TypeError, match='`student` must be'):
        load_model_cfg(3, 'student')


def test_mmiekd_config_paths_resolve(tmp_path):
    path = resolve_config_path('mmiekd::kd/fitnet_faster_rcnn_r50_r101.py', 'config')
    assert path.endswith('.mim/configs/kd/fitnet_faster_rcnn_r50_r101.py')
    child = tmp_path / 'child.py'
    child.write_text("_base_ = 'mmiekd::kd/fitnet_faster_rcnn_r50_r101.py'\nmodel = dict(teacher_ckpt=None)\n")
    with mmiekd_config_paths():  # what tools/train.py and tools/test.py read configs in
        cfg = Config.fromfile(str(child))
    with pytest.raises(AssertionError, match='does not support to load mmiekd'):
        Config.fromfile(str(child))  # outside it, MMEngine's table is as shipped
    assert cfg.model.type == 'mmiekd.SingleTeacherDistiller' and cfg.model.teacher_ckpt is None
    assert cfg.default_scope == 'mmdet'
