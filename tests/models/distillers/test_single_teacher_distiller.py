"""SingleTeacherDistiller on tiny mmpretrain classifiers: freezing, recording, losses, errors, checkpoints."""
import copy

import pytest
import torch
from conftest import classification_batch, tiny_classifier
from mmengine.optim import OptimWrapper

from mmiekd.models import SingleTeacherDistiller
from mmiekd.registry import MODELS
from mmiekd.utils import with_build_scopes


def build(distill=None, teacher_ckpt=None, **kwargs):
    torch.manual_seed(0)
    with pytest.warns(UserWarning, match='teacher_ckpt') if teacher_ckpt is None else _nothing():
        return SingleTeacherDistiller(
            student=kwargs.pop('student', tiny_classifier(4)), teacher=kwargs.pop('teacher', tiny_classifier(8)),
            teacher_ckpt=teacher_ckpt, distill=distill, **kwargs)


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


LOGITS_KD = dict(logits=dict(student='head.fc', teacher='head.fc', loss=dict(type='mmiekd.KDLoss', tau=4.0)))
FEATURE_MSE = dict(feat=dict(student='backbone.layer4', teacher='backbone.layer4',
                             loss=dict(type='mmiekd.FeatureMSELoss'),
                             connector=dict(type='mmiekd.ConvConnector', in_channels=32, out_channels=64)))


def train_steps(model, steps=2, lr=0.1):
    optim = OptimWrapper(torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=lr, momentum=0.9))
    model.train()
    logs = []
    for i in range(steps):
        logs.append(model.train_step(classification_batch(seed=i), optim))
    return logs


def test_built_from_registry_with_attributes():
    model = MODELS.build(dict(type='mmiekd.SingleTeacherDistiller', student=tiny_classifier(4),
                              teacher=tiny_classifier(8), teacher_ckpt=None, distill=LOGITS_KD))
    assert type(model.student).__name__ == 'ImageClassifier'
    assert type(model.teacher).__name__ == 'ImageClassifier'
    assert model.student.backbone.layer4[0].conv1.out_channels == 32
    assert model.teacher.backbone.layer4[0].conv1.out_channels == 64


def test_teacher_frozen_unchanged_student_updated():
    model = build(distill={**LOGITS_KD, **FEATURE_MSE})
    teacher_before = copy.deepcopy(model.teacher.state_dict())
    student_before = copy.deepcopy(model.student.state_dict())
    logs = train_steps(model, steps=3)
    assert all(not p.requires_grad for p in model.teacher.parameters())
    assert not model.teacher.training and model.student.training
    for key, value in model.teacher.state_dict().items():  # weights and BN running statistics
        assert torch.equal(value, teacher_before[key]), key
    changed = [k for k, v in model.student.state_dict().items()
               if v.dtype.is_floating_point and not torch.equal(v, student_before[k])]
    assert any('backbone.conv1.weight' in k for k in changed)
    assert any('running_mean' in k for k in changed)
    assert {'loss', 'student.loss', 'distill.loss_logits', 'distill.loss_feat'} <= set(logs[-1])
    assert all(torch.isfinite(v) for v in logs[-1].values())


def test_loss_keys_and_values_match_manual_computation():
    model = build(distill=LOGITS_KD)
    model.eval()  # deterministic BN for the manual comparison
    batch = model.data_preprocessor(classification_batch(), False)
    losses = model.loss(batch['inputs'], batch['data_samples'])
    student_loss = model.student.loss(batch['inputs'], batch['data_samples'])
    assert set(losses) == {'student.loss', 'distill.loss_logits'} and set(student_loss) == {'loss'}
    assert torch.allclose(losses['student.loss'], student_loss['loss'])
    s_logits = model.student(batch['inputs'], mode='tensor')
    t_logits = model.teacher(batch['inputs'], mode='tensor')
    p_t = torch.softmax(t_logits / 4, 1)
    manual = (p_t * (p_t.log() - torch.log_softmax(s_logits / 4, 1))).sum(1).mean() * 16
    assert losses['distill.loss_logits'].item() == pytest.approx(manual.item(), rel=1e-5)


def test_recorded_features_equal_manual_forward():
    model = build(distill=FEATURE_MSE)
    model.eval()
    batch = model.data_preprocessor(classification_batch(), False)
    for _ in range(2):  # first forward probes for in-place ops, second records by reference
        model.run_teacher(batch['inputs'], batch['data_samples'])
        with model.recorders['student'].recording():
            model.student(batch['inputs'], batch['data_samples'], mode='tensor')
        assert torch.allclose(model.recorders['teacher'].get('backbone.layer4'),
                              model.teacher.extract_feat(batch['inputs'], stage='backbone')[-1])
        assert torch.allclose(model.recorders['student'].get('backbone.layer4'),
                              model.student.backbone(batch['inputs'])[-1])


def test_in_place_relu_after_recorded_module_is_safe():
    # bn1 of the first block is followed by ReLU(inplace=True): its recorded output must keep negatives.
    name = 'backbone.layer1.0.bn1'
    model = build(distill=dict(bn=dict(student=name, teacher=name, loss=dict(type='mmiekd.FeatureMSELoss'),
                                       connector=dict(type='mmiekd.ConvConnector', in_channels=4,
                                                      out_channels=8))))
    model.eval()
    batch = model.data_preprocessor(classification_batch(), False)
    block = model.teacher.backbone.layer1[0]
    stem = model.teacher.backbone
    with torch.no_grad():
        x = stem.relu(stem.norm1(stem.conv1(batch['inputs'])))
        expected = block.norm1(block.conv1(x))
    assert (expected < 0).any()
    for _ in range(3):
        model.run_teacher(batch['inputs'], batch['data_samples'])
        assert torch.allclose(model.recorders['teacher'].get(name), expected)
    assert name in model.recorders['teacher']._copied
    # gradients of the student's distillation loss still flow (no in-place autograd error)
    model.train()
    logs = train_steps(model, steps=2)
    assert torch.isfinite(logs[-1]['distill.loss_bn'])


def test_teacher_stops_after_last_recorded_module_and_is_skipped_when_inactive():
    model = build(distill=FEATURE_MSE)
    calls = []
    model.teacher.head.register_forward_hook(lambda *a: calls.append('head'))
    model.teacher.backbone.register_forward_hook(lambda *a: calls.append('backbone'))
    train_steps(model, steps=3)
    # the first step runs the teacher fully (to learn where to stop); later steps stop after layer4
    assert calls == ['backbone', 'head']
    calls.clear()
    model.set_term_active('feat', False)
    logs = train_steps(model, steps=1)
    assert calls == [] and 'distill.loss_feat' not in logs[0]


def test_teacher_uses_its_own_normalisation():
    student = tiny_classifier(4, mean=[100., 110., 120.], std=[50., 60., 70.], to_rgb=True)
    teacher = tiny_classifier(8, mean=[10., 20., 30.], std=[2., 3., 4.], to_rgb=False)
    model = build(distill=LOGITS_KD, student=student, teacher=teacher)
    raw = classification_batch()
    student_in = model.data_preprocessor(raw, False)['inputs']
    teacher_in = model.teacher.data_preprocessor(raw, False)['inputs']
    assert torch.allclose(model.teacher_input(student_in), teacher_in, atol=1e-4)
    same = build(distill=LOGITS_KD)
    assert same.teacher_input.identity


def test_teacher_checkpoint_loaded_strictly(tmp_path):
    teacher = MODELS.build(with_build_scopes(tiny_classifier(8)))
    ckpt = tmp_path / 'teacher.pth'
    torch.save({'state_dict': teacher.state_dict(), 'meta': {'epoch': 3}}, ckpt)
    model = build(distill=LOGITS_KD, teacher_ckpt=str(ckpt))
    for key, value in teacher.state_dict().items():
        assert torch.equal(model.teacher.state_dict()[key], value)
    model.init_weights()  # the runner's init must not overwrite the loaded teacher
    assert torch.equal(model.teacher.head.fc.weight, teacher.head.fc.weight)


def test_teacher_checkpoint_of_other_architecture_is_rejected(tmp_path):
    other = MODELS.build(with_build_scopes(tiny_classifier(4)))
    ckpt = tmp_path / 'other.pth'
    torch.save({'state_dict': other.state_dict()}, ckpt)
    with pytest.raises(ValueError, match=r'teacher_ckpt.*shape mismatches.*backbone\.conv1\.weight'):
        build(distill=LOGITS_KD, teacher_ckpt=str(ckpt))
    torch.save({'state_dict': {'foo.weight': torch.zeros(1)}}, ckpt)
    with pytest.raises(ValueError, match=r'teacher_ckpt.*missing keys.*unexpected keys.*foo\.weight'):
        build(distill=LOGITS_KD, teacher_ckpt=str(ckpt))


@pytest.mark.parametrize('role', ['student', 'teacher'])
def test_unknown_module_name_is_rejected_at_build(role):
    term = dict(student='head.fc', teacher='head.fc', loss=dict(type='mmiekd.KDLoss'))
    term[role] = 'backbone.layer9'
    with pytest.raises(KeyError, match=rf'distill\.t\.{role}.*no module named "backbone.layer9"'):
        build(distill=dict(t=term))


def test_shape_mismatch_without_connector_is_reported_at_build_naming_both_shapes():
    # Checked on a dummy batch when the distiller is built, i.e. before the first iteration.
    with pytest.raises(ValueError, match=r'distill\.feat.*\(1, 32, 8, 8\).*\(1, 64, 8, 8\).*in_channels=32, '
                                         r'out_channels=64'):
        build(distill=dict(feat=dict(student='backbone.layer4', teacher='backbone.layer4',
                                     loss=dict(type='mmiekd.FeatureMSELoss'))))


@pytest.mark.parametrize('term, error, pattern', [
    (dict(student='head.fc', teacher='head.fc'), KeyError, r'distill\.t.*missing keys \[\'loss\'\]'),
    (dict(student='head.fc', teacher='head.fc', loss=dict(type='mmiekd.KDLoss'), weight=1), KeyError,
     r'unknown keys \[\'weight\'\]'),
    (dict(student='head.fc', teacher='head.fc', loss=dict(type='mmiekd.KDLoss', loss_weight=-1)), ValueError,
     r'distill\.t\.loss.*loss_weight'),
    (dict(student='head.fc', teacher='head.fc', loss=dict(type='mmiekd.KDLoss', loss_weight='x')), TypeError,
     r'distill\.t\.loss.*loss_weight'),
])
def test_bad_term_config_is_rejected(term, error, pattern):
    with pytest.raises(error, match=pattern):
        build(distill=dict(t=term))


def test_training_checkpoint_leaves_teacher_out_and_loads_back():
    model = build(distill=FEATURE_MSE)
    state = model.state_dict()
    assert not any(k.startswith('teacher.') for k in state)
    assert any(k.startswith('student.') for k in state) and any(k.startswith('connectors.feat') for k in state)
    other = build(distill=FEATURE_MSE)
    result = other.load_state_dict(state, strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    kept = build(distill=FEATURE_MSE, save_teacher=True)
    assert any(k.startswith('teacher.') for k in kept.state_dict())


def test_predict_is_the_students_and_eval_teacher_switches():
    model = build(distill=LOGITS_KD)
    model.eval()
    batch = model.data_preprocessor(classification_batch(), False)
    out = model(batch['inputs'], batch['data_samples'], mode='predict')
    expected = model.student(batch['inputs'], batch['data_samples'], mode='predict')
    assert torch.allclose(out[0].pred_score, expected[0].pred_score)
    model.eval_teacher = True
    out = model(batch['inputs'], mode='tensor')
    assert torch.allclose(out, model.teacher(batch['inputs'], mode='tensor'))
