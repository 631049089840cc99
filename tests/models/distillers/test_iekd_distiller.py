"""IEKDDistiller: split, auto-encoder phase, gradients through both halves, frozen teacher and auto-encoder."""
import copy
import warnings

import pytest
import torch
from conftest import classification_batch, tiny_classifier
from mmengine.optim import OptimWrapper

from mmiekd.models import IEKDDistiller

IE = dict(student='backbone.layer4', teacher='backbone.layer4', student_channels=32, teacher_channels=64,
          factor_channels=8)


def build(ie=None, **kwargs):
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # the untrained-teacher warning is tested with the base distiller
        return IEKDDistiller(student=tiny_classifier(4), teacher=tiny_classifier(8), ie=dict(IE, **(ie or {})),
                             **kwargs)


def run_phase1(model, steps=2):
    model.set_autoencoder_learning(True)
    optim = torch.optim.SGD(model.autoencoder_parameters(), lr=0.01)
    for i in range(steps):
        data = model.data_preprocessor(classification_batch(seed=i), True)
        loss = model.autoencoder_loss(data['inputs'], data['data_samples'])
        optim.zero_grad()
        loss.backward()
        optim.step()
    model.finish_autoencoder_phase()


def test_split_natural_is_halves_and_random_is_seeded_and_saved():
    natural = build()
    feat = torch.arange(32.).view(1, 32, 1, 1)
    inh, exp = natural.split(feat)
    assert inh.flatten().tolist() == list(range(16)) and exp.flatten().tolist() == list(range(16, 32))
    a = build(dict(split='random', split_seed=3))
    b = build(dict(split='random', split_seed=3))
    c = build(dict(split='random', split_seed=4))
    assert torch.equal(a.split_order, b.split_order) and not torch.equal(a.split_order, c.split_order)
    assert sorted(a.split_order.tolist()) == list(range(32))
    inh, exp = a.split(feat)
    assert inh.flatten().tolist() == a.split_order[:16].tolist()
    assert 'split_order' in a.state_dict()
    c.load_state_dict(a.state_dict())
    assert torch.equal(c.split_order, a.split_order), 'the split is restored from a checkpoint'


def test_phase2_requires_trained_autoencoder():
    model = build()
    data = model.data_preprocessor(classification_batch(), True)
    with pytest.raises(RuntimeError, match='IEKDAutoEncoderHook'):
        model.loss(data['inputs'], data['data_samples'])


def test_phase1_trains_only_the_autoencoder_and_sets_the_flag():
    model = build()
    teacher_before = copy.deepcopy(model.teacher.state_dict())
    student_before = copy.deepcopy(model.student.state_dict())
    ae_before = copy.deepcopy(model.teacher_autoencoders.state_dict())
    assert not bool(model.autoencoder_trained)
    run_phase1(model)
    assert bool(model.autoencoder_trained) and 'autoencoder_trained' in model.state_dict()
    assert any(not torch.equal(v, ae_before[k]) for k, v in model.teacher_autoencoders.state_dict().items())
    assert all(torch.equal(v, teacher_before[k]) for k, v in model.teacher.state_dict().items())
    assert all(torch.equal(v, student_before[k]) for k, v in model.student.state_dict().items())
    assert all(not p.requires_grad for p in model.teacher_autoencoders.parameters())


def test_phase2_gradients_reach_student_through_both_halves():
    model = build()
    run_phase1(model)
    model.train()
    data = model.data_preprocessor(classification_batch(), True)
    captured = {}

    def capture(module, inputs, output):
        captured['feat'] = output

    model.student.backbone.layer4.register_forward_hook(capture)
    losses = model.loss(data['inputs'], data['data_samples'])
    assert {'student.loss', 'ie.loss_inh', 'ie.loss_exp'} <= set(losses)
    assert losses['ie.loss_exp'].item() < 0 < losses['ie.loss_inh'].item()
    feat = captured['feat']
    for key in ('ie.loss_inh', 'ie.loss_exp'):
        grad, = torch.autograd.grad(losses[key], feat, retain_graph=True)
        inh_grad, exp_grad = grad[:, :16].abs().sum(), grad[:, 16:].abs().sum()
        if key == 'ie.loss_inh':
            assert inh_grad > 0 and exp_grad == 0
        else:
            assert exp_grad > 0 and inh_grad == 0


def test_teacher_and_autoencoder_unchanged_in_phase2():
    model = build()
    run_phase1(model)
    teacher_before = copy.deepcopy(model.teacher.state_dict())
    ae_before = copy.deepcopy(model.teacher_autoencoders.state_dict())
    encoders_before = copy.deepcopy(model.inheritance_encoders.state_dict())
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-3))
    model.train()
    assert not model.teacher_autoencoders.training
    for i in range(2):
        model.train_step(classification_batch(seed=i), optim)
    assert all(torch.equal(v, teacher_before[k]) for k, v in model.teacher.state_dict().items())
    assert all(torch.equal(v, ae_before[k]) for k, v in model.teacher_autoencoders.state_dict().items())
    assert any(not torch.equal(v, encoders_before[k]) for k, v in model.inheritance_encoders.state_dict().items())


def test_attention_mode_needs_no_phase1_and_logit_kd_combines():
    model = build(dict(mode='attention'), distill=dict(logits=dict(
        student='head.fc', teacher='head.fc', loss=dict(type='mmiekd.KDLoss', tau=4.0))))
    assert bool(model.autoencoder_trained) and not hasattr(model, 'teacher_autoencoders')
    data = model.data_preprocessor(classification_batch(), True)
    losses = model.loss(data['inputs'], data['data_samples'])
    assert {'ie.loss_inh', 'ie.loss_exp', 'distill.loss_logits'} <= set(losses)


def test_weight_factor_scales_both_losses():
    model = build()
    run_phase1(model)
    model.eval()
    data = model.data_preprocessor(classification_batch(), False)
    full = model.loss(data['inputs'], data['data_samples'])
    model.ie_weight_factor = 0.1
    scaled = model.loss(data['inputs'], data['data_samples'])
    for key in ('ie.loss_inh', 'ie.loss_exp'):
        assert scaled[key].item() == pytest.approx(0.1 * full[key].item(), rel=1e-5)


@pytest.mark.parametrize('ie, error, pattern', [
    (dict(student_channels=31), ValueError, 'student_channels.*even'),
    (dict(split='half'), ValueError, 'ie.split'),
    (dict(mode='x'), ValueError, 'ie.mode'),
    (dict(foo=1), KeyError, 'unknown keys'),
    (dict(student='backbone.nope'), KeyError, 'no module named "backbone.nope"'),
])
def test_bad_ie_config_is_rejected(ie, error, pattern):
    with pytest.raises(error, match=pattern):
        build(ie)


def test_wrong_student_channels_is_reported_on_first_batch():
    model = build(dict(student_channels=16))
    run_phase1(model)
    data = model.data_preprocessor(classification_batch(), True)
    with pytest.raises(ValueError, match=r'ie.student_channels.*16.*\(4, 32, 4, 4\)'):
        model.loss(data['inputs'], data['data_samples'])


def test_autoencoder_checkpoint_skips_phase1(tmp_path):
    trained = build()
    run_phase1(trained)
    path = tmp_path / 'ae.pth'
    torch.save(trained.teacher_autoencoders.state_dict(), path)
    loaded = build(dict(autoencoder_ckpt=str(path)))
    assert bool(loaded.autoencoder_trained)
    for k, v in trained.teacher_autoencoders.state_dict().items():
        assert torch.equal(loaded.teacher_autoencoders.state_dict()[k], v)


def test_list_of_feature_modules_is_distilled_level_by_level():
    model = build(dict(student=['backbone.layer4.0', 'backbone.layer4'], teacher=['backbone.layer4.0',
                                                                              'backbone.layer4'],
                       num_levels=2))
    assert len(model.teacher_autoencoders) == 2 and len(model.inheritance_encoders) == 2
    run_phase1(model)
    data = model.data_preprocessor(classification_batch(), True)
    losses = model.loss(data['inputs'], data['data_samples'])
    assert losses['ie.loss_inh'] > 0 > losses['ie.loss_exp']
    with pytest.raises(ValueError, match='as many modules'):
        build(dict(student=['backbone.layer4'], teacher=['backbone.layer4', 'backbone.layer3']))
    one_level = build(dict(student=['backbone.layer4.0', 'backbone.layer4'],
                           teacher=['backbone.layer4.0', 'backbone.layer4']))
    run_phase1_error = pytest.raises(ValueError, match=r'ie.num_levels` is 1 .* give 2 output')
    with run_phase1_error:
        run_phase1(one_level)


def test_hook_weight_schedule_decays_both_weights_at_milestones():
    from types import SimpleNamespace

    from mmiekd.engine.hooks import IEKDAutoEncoderHook
    model = build()
    hook = IEKDAutoEncoderHook(iters=1, weight_milestones=[2, 4], weight_gamma=0.5, by_epoch=True)
    runner = SimpleNamespace(model=model, epoch=0, iter=0)
    factors = []
    for epoch in range(6):
        runner.epoch = epoch
        hook.before_train_epoch(runner)
        factors.append(model.ie_weight_factor)
    assert factors == [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    with pytest.raises(ValueError, match='iters.*epochs'):
        IEKDAutoEncoderHook()


def test_levels_and_pool_choose_where_and_at_what_resolution_ie_runs():
    two = dict(student=['backbone.layer4.0', 'backbone.layer4'], teacher=['backbone.layer4.0', 'backbone.layer4'],
               num_levels=2)
    model = build(dict(two, levels=[1], pool=2))
    assert len(model.teacher_autoencoders) == 1 and len(model.exploration_encoders) == 1
    run_phase1(model)
    shapes, feats = [], {}
    handles = [model.inheritance_encoders[0].register_forward_hook(lambda m, i, o: shapes.append(tuple(i[0].shape))),
               model.student.backbone.layer4.register_forward_hook(lambda m, i, o: feats.update(s=o.detach()))]
    data = model.data_preprocessor(classification_batch(), True)
    losses = model.loss(data['inputs'], data['data_samples'])
    for handle in handles:
        handle.remove()
    # One level (the second), its 4x4 map pooled to 2x2; the inheritance half of 32 channels.
    assert shapes == [(4, 16, 2, 2)]
    # By hand: the loss of level 1 at 2x2 resolution equals the loss the distiller reports.
    with torch.no_grad():
        teacher = model.teacher.backbone(model.teacher_input(data['inputs']))[-1]
    student = feats['s']
    pooled_s = torch.nn.functional.avg_pool2d(student, 2)
    pooled_t = torch.nn.functional.avg_pool2d(teacher, 2)
    with torch.no_grad():
        expected = model.inheritance_loss(model.inheritance_encoders[0](pooled_s[:, :16]),
                                          model.teacher_autoencoders[0].encode(pooled_t))
    assert losses['ie.loss_inh'].item() == pytest.approx(expected.item(), rel=1e-5)


@pytest.mark.parametrize('ie, pattern', [
    (dict(levels=[1]), r'ie.levels.*\[0, ie.num_levels=1\)'),
    (dict(num_levels=2, levels=[1, 0]), 'increasing'),
    (dict(levels=[]), 'ie.levels'),
    (dict(pool=0), r'ie.pool.*positive'),
    (dict(pool=1.5), r'ie.pool'),
])
def test_bad_levels_and_pool_are_rejected(ie, pattern):
    with pytest.raises(ValueError, match=pattern):
        build(ie)
