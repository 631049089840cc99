"""Tests of the CIFAR backbones: parameter counts against the distillation zoo, stage shapes, ``out_indices``,
stage naming, argument checking and use inside mmpretrain's ``ImageClassifier``."""
import pytest
import torch
import torch.nn as nn

from mmiekd.models.backbones import CIFARMobileNetV2, CIFARResNet, CIFARVGG, WideResNet
from mmiekd.registry import MODELS


@pytest.fixture(autouse=True)
def _single_cpu_thread():
    """These nets are tiny: intra-op threading only adds overhead (a lot of it on a busy machine)."""
    num_threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(num_threads)


def _build(kind, **kwargs):
    classes = {'resnet': CIFARResNet, 'wrn': WideResNet, 'vgg': CIFARVGG, 'mbv2': CIFARMobileNetV2}
    return classes[kind](**kwargs)


class _Classifier(nn.Module):
    """backbone -> global average pool -> linear, the zoo's classification network."""

    def __init__(self, backbone, num_classes):
        super().__init__()
        self.backbone = backbone
        self.fc = nn.Linear(backbone.out_channels[-1], num_classes)

    def forward(self, x):
        feat = self.backbone(x)[-1]
        return self.fc(feat.mean(dim=(2, 3)))


def _num_params(module):
    return sum(p.numel() for p in module.parameters())


# (kind, kwargs, num_classes, expected parameter count of backbone + GAP + linear, from the
# CRD / RepDistiller zoo).
PARAM_CASES = [
    ('resnet', dict(arch='resnet20'), 10, 272_474),
    ('resnet', dict(arch='resnet20'), 100, 278_324),
    ('resnet', dict(arch='resnet32'), 100, 472_756),
    ('resnet', dict(arch='resnet56'), 10, 855_770),
    ('resnet', dict(arch='resnet56'), 100, 861_620),
    ('resnet', dict(arch='resnet110'), 10, 1_730_714),
    ('resnet', dict(arch='resnet110'), 100, 1_736_564),
    ('resnet', dict(arch='resnet8x4'), 100, 1_233_540),
    ('resnet', dict(arch='resnet32x4'), 100, 7_433_860),
    ('resnet', dict(depth=44), 10, 661_338),
    ('wrn', dict(depth=16, widen_factor=1), 100, 180_916),
    ('wrn', dict(depth=16, widen_factor=2), 100, 703_284),
    ('wrn', dict(depth=40, widen_factor=1), 100, 569_780),
    ('wrn', dict(depth=40, widen_factor=2), 100, 2_255_156),
    ('wrn', dict(arch='wrn_40_2'), 100, 2_255_156),
    ('wrn', dict(depth=28, widen_factor=10), 10, 36_479_194),
    ('vgg', dict(arch='vgg8'), 100, 3_965_028),
    ('vgg', dict(arch='vgg13'), 100, 9_462_180),
    ('mbv2', dict(widen_factor=0.5), 100, 812_836),
]


@pytest.mark.parametrize('kind,kwargs,num_classes,expected', PARAM_CASES)
def test_param_counts_match_zoo(kind, kwargs, num_classes, expected):
    model = _Classifier(_build(kind, **kwargs), num_classes)
    assert _num_params(model) == pytest.approx(expected, rel=0.01)


@pytest.mark.parametrize('arch,expected_millions,half_unit', [('resnet20', 0.27, 0.005),
                                                              ('resnet56', 0.86, 0.005),
                                                              ('resnet110', 1.7, 0.05)])
def test_resnet_param_counts_cifar10_rounded(arch, expected_millions, half_unit):
    # The rounded figures quoted by He et al. (2016), Table 6: agree to the last quoted digit.
    model = _Classifier(CIFARResNet(arch), 10)
    assert _num_params(model) / 1e6 == pytest.approx(expected_millions, abs=half_unit)


# (kind, kwargs, expected stage output shapes for a (2, 3, 32, 32) input)
SHAPE_CASES = [
    ('resnet', dict(arch='resnet20'), [(2, 16, 32, 32), (2, 32, 16, 16), (2, 64, 8, 8)]),
    ('resnet', dict(arch='resnet8'), [(2, 16, 32, 32), (2, 32, 16, 16), (2, 64, 8, 8)]),
    ('resnet', dict(arch='resnet8x4'), [(2, 64, 32, 32), (2, 128, 16, 16), (2, 256, 8, 8)]),
    ('resnet', dict(arch='resnet32x4'), [(2, 64, 32, 32), (2, 128, 16, 16), (2, 256, 8, 8)]),
    ('wrn', dict(depth=16, widen_factor=1), [(2, 16, 32, 32), (2, 32, 16, 16), (2, 64, 8, 8)]),
    ('wrn', dict(depth=40, widen_factor=2), [(2, 32, 32, 32), (2, 64, 16, 16), (2, 128, 8, 8)]),
    ('vgg', dict(arch='vgg8'),
     [(2, 64, 32, 32), (2, 128, 16, 16), (2, 256, 8, 8), (2, 512, 4, 4), (2, 512, 4, 4)]),
    ('vgg', dict(arch='vgg13'),
     [(2, 64, 32, 32), (2, 128, 16, 16), (2, 256, 8, 8), (2, 512, 4, 4), (2, 512, 4, 4)]),
    ('mbv2', dict(widen_factor=0.5), [(2, 12, 16, 16), (2, 16, 8, 8), (2, 48, 4, 4), (2, 1280, 2, 2)]),
    ('mbv2', dict(widen_factor=1.0), [(2, 24, 16, 16), (2, 32, 8, 8), (2, 96, 4, 4), (2, 1280, 2, 2)]),
]


@pytest.mark.parametrize('kind,kwargs,shapes', SHAPE_CASES)
def test_stage_shapes_and_out_channels(kind, kwargs, shapes):
    num_stages = len(shapes)
    backbone = _build(kind, out_indices=tuple(range(num_stages)), **kwargs)
    assert backbone.num_stages == num_stages
    assert backbone.out_channels == [s[1] for s in shapes]
    outs = backbone(torch.randn(2, 3, 32, 32))
    assert isinstance(outs, tuple)
    assert [tuple(o.shape) for o in outs] == shapes


@pytest.mark.parametrize('kind,kwargs,shapes', SHAPE_CASES)
def test_default_out_indices_is_last_stage(kind, kwargs, shapes):
    backbone = _build(kind, **kwargs)
    assert backbone.out_indices == (len(shapes) - 1, )
    outs = backbone(torch.randn(2, 3, 32, 32))
    assert isinstance(outs, tuple) and len(outs) == 1
    assert tuple(outs[0].shape) == shapes[-1]


def test_last_stage_is_post_relu():
    for backbone in (CIFARResNet('resnet20'), WideResNet(16, 2), CIFARVGG('vgg8'), CIFARMobileNetV2()):
        backbone.eval()
        out = backbone(torch.randn(2, 3, 32, 32))[-1]
        assert (out >= 0).all()
    # WRN: layer3 ends with the final BN + ReLU of the network.
    wrn = WideResNet(16, 2)
    assert isinstance(wrn.layer3.norm, nn.BatchNorm2d) and isinstance(wrn.layer3.relu, nn.ReLU)


def test_out_indices_selection():
    x = torch.randn(2, 3, 32, 32)
    backbone = CIFARResNet('resnet20', out_indices=(0, 2))
    outs = backbone(x)
    assert [tuple(o.shape) for o in outs] == [(2, 16, 32, 32), (2, 64, 8, 8)]

    backbone = CIFARResNet('resnet20', out_indices=1)
    assert backbone.out_indices == (1, )
    assert [tuple(o.shape) for o in backbone(x)] == [(2, 32, 16, 16)]

    backbone = CIFARVGG('vgg8', out_indices=(-1, -2))
    assert backbone.out_indices == (3, 4)
    assert [tuple(o.shape) for o in backbone(x)] == [(2, 512, 4, 4), (2, 512, 4, 4)]

    with pytest.raises(ValueError, match='out_indices'):
        CIFARResNet('resnet20', out_indices=(3, ))
    with pytest.raises(ValueError, match='out_indices'):
        CIFARMobileNetV2(out_indices=())


@pytest.mark.parametrize('kind,kwargs,shapes', SHAPE_CASES)
def test_stages_are_named_and_chain(kind, kwargs, shapes):
    """``layerK`` maps the previous stage's output to stage K's output; the stem stays outside layer1."""
    num_stages = len(shapes)
    backbone = _build(kind, out_indices=tuple(range(num_stages)), **kwargs).eval()
    names = dict(backbone.named_modules())
    assert backbone.stage_names == [f'layer{i + 1}' for i in range(num_stages)]
    for name in backbone.stage_names:
        assert name in names
    assert f'layer{num_stages + 1}' not in names

    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        expected = backbone(x)
        feat = backbone.forward_stem(x)
        for i, name in enumerate(backbone.stage_names):
            feat = names[name](feat)
            torch.testing.assert_close(feat, expected[i])


def test_stem_is_separate_module():
    resnet = CIFARResNet('resnet20')
    assert isinstance(resnet.conv1, nn.Conv2d) and resnet.conv1.out_channels == 16
    assert isinstance(resnet.bn1, nn.BatchNorm2d)
    assert resnet.layer1[0].conv1.in_channels == 16
    assert CIFARResNet('resnet8x4').conv1.out_channels == 32
    assert WideResNet(40, 2).conv1.out_channels == 16
    assert CIFARMobileNetV2().stem[0].stride == (2, 2)


def test_forward_hooks_fire_on_every_stage():
    backbone = CIFARResNet('resnet20', out_indices=(0, ))
    seen = []
    for name in backbone.stage_names:
        getattr(backbone, name).register_forward_hook(lambda m, i, o, name=name: seen.append(name))
    backbone(torch.randn(1, 3, 32, 32))
    assert seen == ['layer1', 'layer2', 'layer3']


def test_resnet_structure():
    resnet = CIFARResNet('resnet20')
    assert [len(getattr(resnet, n)) for n in resnet.stage_names] == [3, 3, 3]
    assert resnet.layer1[0].downsample is None  # 16 -> 16
    assert resnet.layer2[0].downsample is not None
    assert CIFARResNet('resnet8x4').layer1[0].downsample is not None  # 32 -> 64
    assert len(CIFARResNet('resnet110').layer3) == 18


def test_wrn_structure_and_dropout():
    wrn = WideResNet(depth=40, widen_factor=2, drop_rate=0.3)
    blocks = [m for m in wrn.layer1 if not isinstance(m, (nn.BatchNorm2d, nn.ReLU))]
    assert len(blocks) == 6
    assert isinstance(wrn.layer1[0].dropout, nn.Dropout) and wrn.layer1[0].dropout.p == 0.3
    assert WideResNet(16, 1).layer1[0].shortcut is None  # 16 -> 16 keeps the identity
    assert WideResNet(16, 2).layer1[0].shortcut is not None


def test_default_init():
    backbone = CIFARResNet('resnet56')
    conv = backbone.layer3[0].conv2  # 64 -> 64, 3x3: fan_out = 576
    assert conv.weight.std().item() == pytest.approx((2 / 576)**0.5, rel=0.1)
    for m in backbone.modules():
        if isinstance(m, nn.BatchNorm2d):
            assert torch.all(m.weight == 1) and torch.all(m.bias == 0)
    vgg = CIFARVGG('vgg8')
    assert torch.all(vgg.layer1[0].bias == 0)
    backbone.init_weights()  # MMEngine's entry point runs without an init_cfg


@pytest.mark.parametrize('cls,kwargs', [(CIFARResNet, dict(arch='resnet20')), (WideResNet, dict(depth=16)),
                                        (CIFARVGG, dict(arch='vgg8')), (CIFARMobileNetV2, dict())])
def test_norm_cfg(cls, kwargs):
    backbone = cls(norm_cfg=dict(type='SyncBN'), **kwargs)
    norms = [m for m in backbone.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    assert norms and all(isinstance(m, nn.SyncBatchNorm) for m in norms)


def test_vgg_without_norm():
    vgg = CIFARVGG('vgg8', norm_cfg=None)
    assert not any(isinstance(m, nn.BatchNorm2d) for m in vgg.modules())
    assert tuple(vgg(torch.randn(1, 3, 32, 32))[0].shape) == (1, 512, 4, 4)


def test_unknown_arch_lists_valid_archs():
    with pytest.raises(KeyError, match='resnet20') as info:
        CIFARResNet('resnet21')
    assert 'resnet8x4' in str(info.value) and 'resnet21' in str(info.value)
    with pytest.raises(KeyError, match='vgg13'):
        CIFARVGG('vgg12')
    with pytest.raises(KeyError, match='wrn_40_2'):
        WideResNet(arch='wrn_10_10')


@pytest.mark.parametrize('depth', [21, 18, 2, 7])
def test_resnet_bad_depth(depth):
    with pytest.raises(ValueError, match='depth'):
        CIFARResNet(depth=depth)


@pytest.mark.parametrize('depth', [20, 17, 4])
def test_wrn_bad_depth(depth):
    with pytest.raises(ValueError, match='depth'):
        WideResNet(depth=depth, widen_factor=2)


def test_registered_in_mmiekd_registry():
    from mmengine.registry import DefaultScope
    with DefaultScope.overwrite_default_scope('mmiekd'):  # whatever scope an earlier test left current
        for type_name in ('CIFARResNet', 'WideResNet', 'CIFARVGG', 'CIFARMobileNetV2'):
            assert MODELS.get(type_name) is not None
        backbone = MODELS.build(dict(type='CIFARResNet', arch='resnet8x4'))
        assert isinstance(backbone, CIFARResNet) and backbone.out_channels == [64, 128, 256]
        with pytest.raises(KeyError, match='resnet8x4'):
            MODELS.build(dict(type='CIFARResNet', arch='nope'))


@pytest.mark.parametrize('backbone,in_channels', [
    (dict(type='mmiekd.CIFARResNet', arch='resnet20'), 64),
    (dict(type='mmiekd.WideResNet', depth=16, widen_factor=2), 128),
    (dict(type='mmiekd.CIFARVGG', arch='vgg8'), 512),
    (dict(type='mmiekd.CIFARMobileNetV2', widen_factor=0.5), 1280),
])
def test_mmpretrain_image_classifier_loss_step(backbone, in_channels):
    pytest.importorskip('mmpretrain')
    from mmpretrain.registry import MODELS as MMPRETRAIN_MODELS
    from mmpretrain.structures import DataSample
    from mmpretrain.utils import register_all_modules

    import mmiekd.models.backbones  # noqa: F401  (registers the backbones)
    register_all_modules()

    torch.manual_seed(0)
    model = MMPRETRAIN_MODELS.build(
        dict(
            type='ImageClassifier',
            backbone=backbone,
            neck=dict(type='GlobalAveragePooling'),
            head=dict(
                type='LinearClsHead', num_classes=10, in_channels=in_channels,
                loss=dict(type='CrossEntropyLoss'))))
    model.init_weights()
    model.train()
    inputs = torch.randn(2, 3, 32, 32)
    data_samples = [DataSample().set_gt_label(label) for label in (3, 7)]

    feats = model.extract_feat(inputs)
    assert isinstance(feats, tuple) and tuple(feats[-1].shape) == (2, in_channels)

    losses = model(inputs, data_samples, mode='loss')
    assert set(losses) == {'loss'}
    loss = losses['loss']
    assert loss.ndim == 0 and torch.isfinite(loss)
    loss.backward()
    assert all(p.grad is not None for p in model.backbone.parameters())

    model.eval()
    with torch.no_grad():
        preds = model(inputs, data_samples, mode='predict')
    assert len(preds) == 2 and preds[0].pred_score.shape == (10, )
