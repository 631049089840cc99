"""tools/analysis_tools/visualize_iekd.py on a tiny IE-KD classifier."""
import os.path as osp
import sys
import warnings

import numpy as np
import torch
from conftest import ROOT
from mmengine.config import Config

sys.path.insert(0, osp.join(ROOT, 'tools', 'analysis_tools'))


def test_writes_side_by_side_maps_of_teacher_and_both_halves(tmp_path):
    import mmcv
    import visualize_iekd
    from mmiekd.registry import MODELS
    from mmiekd.utils import with_build_scopes
    config = osp.join(ROOT, 'configs', 'iekd', 'tiny', 'iekd_cifar_resnet56_resnet20_digits.py')
    cfg = Config.fromfile(config)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        model = MODELS.build(with_build_scopes(dict(cfg.model, data_preprocessor=cfg.data_preprocessor)))
    model.finish_autoencoder_phase()
    ckpt = tmp_path / 'iekd.pth'
    torch.save({'state_dict': model.state_dict()}, ckpt)
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)
    image_file = str(tmp_path / 'digit.png')
    mmcv.imwrite(image, image_file)

    written = visualize_iekd.main([config, str(ckpt), image_file, '--out-dir', str(tmp_path / 'vis')])
    assert written == [str(tmp_path / 'vis' / 'digit_iekd.png')]
    picture = mmcv.imread(written[0])
    assert picture.shape[1] > 3 * picture.shape[0], 'four panels side by side'

    model.eval()
    teacher, inheritance, exploration = visualize_iekd.features(model, image, level=0)
    assert teacher.shape == (1, 64, 8, 8) and inheritance.shape == exploration.shape == (1, 32, 8, 8)
    inputs = model.data_preprocessor(dict(inputs=[torch.from_numpy(image).permute(2, 0, 1)]), False)['inputs']
    with torch.no_grad():
        expected_student = model.student.backbone(inputs)[-1]  # layer3, the IE feature
        expected_teacher = model.teacher.backbone(inputs)[-1]
    assert torch.allclose(torch.cat([inheritance, exploration], 1), expected_student)
    assert torch.allclose(teacher, expected_teacher)
    heat = visualize_iekd.energy(teacher, (32, 32))
    assert heat.shape == (32, 32) and heat.min() == 0 and abs(heat.max() - 1) < 1e-6


def test_rejects_a_config_that_is_not_iekd(tmp_path):
    import pytest
    import visualize_iekd
    config = osp.join(ROOT, 'configs', 'kd', 'tiny', 'kd_cifar_resnet56_resnet20_digits.py')
    with pytest.raises(ValueError, match='IEKDDistiller'):
        visualize_iekd.main([config, 'x.pth', 'y.png', '--out-dir', str(tmp_path)])
