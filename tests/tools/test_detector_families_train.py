"""Every detector family with a recipe trains and validates through tools/train.py's code path on the shapes
data: RetinaNet, FCOS, GFL, Cascade R-CNN, RTMDet (with its EMA and pipeline-switch hooks) and a RetinaNet
student taught by a Faster R-CNN teacher; FitNet and IE-KD on each (Faster R-CNN: the other test files)."""
import math
import os.path as osp
import sys

import pytest
from conftest import ROOT, tiny_recipe_config

sys.path.insert(0, osp.join(ROOT, 'tools'))

FAMILIES = ['retinanet', 'fcos', 'gfl', 'cascade_rcnn', 'rtmdet', 'retinanet_faster_rcnn']
RECIPES = [(f'{m}/tiny/{prefix}_{family}_tiny_shapes.py', family)
           for family in FAMILIES for m, prefix in (('kd', 'fitnet'), ('iekd', 'iekd'))] + [
    ('sskd/tiny/sskd_rtmdet_tiny_shapes.py', 'rtmdet'), ('iakd/tiny/iakd_rtmdet_tiny_shapes.py', 'rtmdet')]
# SSKD: through the four stages and into the head phase within the test's iterations.
SHORT_SSKD = ("model = dict(stages=[dict(student=f'backbone.stage{i + 1}', teacher=f'backbone.stage{i + 1}', "
              "length=1, connector=dict(type='mmiekd.ConvConnector', in_channels=16 * 2**i, "
              "out_channels=32 * 2**i)) for i in range(4)], head_length=1)\n")


def train(config, work_dir, validate=True):
    """tools/train.py in this process (the suite's time budget): returns the runner after training."""
    import train as train_tool
    from launch_utils import load_config
    from mmengine.runner import Runner
    args = train_tool.parse_args([config, '--work-dir', work_dir])
    cfg = train_tool.apply_train_args(load_config(args), args)
    # One phase-1 step; no teacher evaluation before training (the other test files cover both).
    cfg.custom_hooks = [h for h in cfg.get('custom_hooks', []) if not h['type'].endswith('TeacherValHook')]
    for hook in cfg.custom_hooks:
        if hook['type'].endswith('IEKDAutoEncoderHook'):
            hook.update(iters=1, log_interval=1)
    cfg.visualizer['name'] = f'visualizer_{work_dir}'  # one per run in this process (it is an mmengine singleton)
    if not validate:
        cfg.train_cfg.val_interval = cfg.train_cfg.max_iters + 1
    runner = Runner.from_cfg(cfg)
    runner.train()
    return runner


@pytest.mark.parametrize('recipe,family', RECIPES, ids=[r for r, _ in RECIPES])
def test_family_recipe_trains_and_validates(recipe, family, tmp_path, shapes_data):
    from test_train_test_tools import scalars
    sskd = recipe.startswith('sskd')
    config = tiny_recipe_config(tmp_path / 'cfg.py', recipe, shapes_data, 5 if sskd else 2,
                                SHORT_SSKD if sskd else '')
    # Validation (the student's predictions, and RTMDet's EMA weights swapped in) where the family's own code
    # path differs: RTMDet and the cross-family pair; the others validate like the Faster R-CNN recipes.
    validate = family in ('rtmdet', 'retinanet_faster_rcnn') and not recipe.startswith(('sskd', 'iakd'))
    runner = train(config, str(tmp_path / 'work'), validate)
    model = runner.model.module if hasattr(runner.model, 'module') else runner.model
    expected = {'retinanet': 'RetinaNet', 'fcos': 'FCOS', 'gfl': 'GFL', 'cascade_rcnn': 'CascadeRCNN',
                'rtmdet': 'RTMDet', 'retinanet_faster_rcnn': 'RetinaNet'}[family]
    assert type(model.student).__name__ == expected
    if family == 'retinanet_faster_rcnn':
        assert type(model.teacher).__name__ == 'FasterRCNN'
    records = [r for r in scalars(str(tmp_path / 'work')) if 'loss' in r]
    assert [r['iter'] for r in records] == ([1, 2, 3, 4, 5] if sskd else [1, 2])
    terms = [k for r in records for k in r if k.startswith(('distill.', 'ie.', 'sskd.', 'loss'))]
    assert terms and all(math.isfinite(r[k]) for r in records for k in terms if k in r)
    if sskd:
        assert [k for k in records[0] if k.startswith('sskd.')] == ['sskd.loss_stage1']
        assert 'sskd.loss_stage4' in records[3], 'one stage per iteration here'
        assert 'loss_cls' in records[4], 'the head phase trains with the detection losses'
    if recipe.startswith('iakd'):
        assert all('swap_prob' in r for r in records)
    assert runner.message_hub.get_info('last_ckpt') is not None, 'a checkpoint was saved'
    if validate:  # a 2-iteration detector may predict nothing yet: no metric value is asserted
        import glob
        with open(glob.glob(str(tmp_path / 'work' / '*' / '*.log'))[-1]) as f:
            assert 'Iter(val) [2/2]' in f.read(), 'validation ran over the 4 val images'
    if family == 'rtmdet':
        ema = next(h for h in runner.hooks if type(h).__name__ == 'EMAHook')
        transforms = [type(t).__name__ for t in runner.train_dataloader.dataset.pipeline.transforms]
        assert 'RandomFlip' in transforms, 'switched to the recipe\'s pipeline (the test config has no flip)'
        averaged = dict(ema.ema_model.module.named_parameters())
        assert 'student.backbone.stem.0.conv.weight' in averaged, 'the EMA model is a copy of the distiller'


def test_rtmdet_full_recipes_keep_mmdets_hooks():
    from mmengine.config import Config

    from mmiekd.utils.model_config import mmiekd_config_paths
    for path in ('configs/kd/fitnet_rtmdet_s_l.py', 'configs/iekd/rtmdet_s_l.py'):
        with mmiekd_config_paths():
            cfg = Config.fromfile(osp.join(ROOT, path))
        hooks = [h['type'] for h in cfg.custom_hooks]
        assert hooks[:2] == ['EMAHook', 'PipelineSwitchHook'], path
        assert cfg.train_cfg.max_epochs == 300 and cfg.runner_type == 'mmiekd.DistillRunner'
