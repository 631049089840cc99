"""SingleTeacherDistiller: the teacher in half precision, the NaN/inf guard, and the build-time shape probe."""
import copy
import warnings

import pytest
import torch
from conftest import classification_batch, tiny_classifier
from mmengine.logging import MessageHub
from mmengine.optim import OptimWrapper

from mmiekd.models import SingleTeacherDistiller

FEATURE_MSE = dict(feat=dict(student='backbone.layer4', teacher='backbone.layer4',
                             loss=dict(type='mmiekd.FeatureMSELoss'),
                             connector=dict(type='mmiekd.ConvConnector', in_channels=32, out_channels=64,
                                            norm_cfg=dict(type='BN'))))


def build(**kwargs):
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # no teacher_ckpt: the teacher is untrained on purpose
        return SingleTeacherDistiller(student=tiny_classifier(4), teacher=tiny_classifier(8),
                                      distill=copy.deepcopy(FEATURE_MSE), **kwargs)


def distill_loss(model, seed=0):
    model.train()
    data = model.data_preprocessor(classification_batch(seed=seed), True)
    return model.loss(data['inputs'], data['data_samples'])


def test_teacher_in_bf16_records_fp32_outputs_close_to_the_fp32_teacher():
    fp32, bf16 = build(), build(teacher_precision='bf16')
    bf16.load_state_dict(fp32.state_dict())
    loss_32 = distill_loss(fp32)['distill.loss_feat']
    seen = []
    bf16.teacher.backbone.layer4.register_forward_hook(lambda m, i, o: seen.append(o.dtype))
    loss_16 = distill_loss(bf16)['distill.loss_feat']
    assert seen == [torch.bfloat16]  # the teacher really ran in bf16 ...
    assert loss_16.dtype == torch.float32  # ... and the loss is computed in fp32
    assert torch.allclose(loss_16, loss_32, rtol=0.05)


def test_teacher_precision_and_nonfinite_options_are_checked():
    with pytest.raises(ValueError, match='`teacher_precision` must be one of .*got \'fp8\''):
        build(teacher_precision='fp8')
    with pytest.raises(ValueError, match='`nonfinite_loss` must be "raise" or "skip"'):
        build(nonfinite_loss='ignore')


def poison_teacher(model, value=float('nan')):
    # A teacher whose recorded feature is NaN/inf, as a broken checkpoint or an overflow would give.
    model.teacher.backbone.layer4[-1].bn2.bias.data.fill_(value)


@pytest.mark.parametrize('value, shown', [(float('nan'), 'nan'), (float('inf'), 'inf')])
def test_nonfinite_distillation_loss_stops_training_naming_term_and_iteration(value, shown):
    model = build()
    poison_teacher(model, value)
    MessageHub.get_current_instance().update_info('iter', 41)
    before = {n: p.detach().clone() for n, p in model.student.named_parameters()}
    optim = OptimWrapper(torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.1))
    with pytest.raises(FloatingPointError, match=rf'at iteration 42: `distill.loss_feat` = {shown}.*nonfinite_loss'):
        model.train_step(classification_batch(), optim)
    assert all(torch.equal(p, before[n]) for n, p in model.student.named_parameters())  # no weight updated


def test_nonfinite_loss_can_skip_the_step_with_zero_gradients_for_every_parameter():
    model = build(nonfinite_loss='skip')
    poison_teacher(model)
    params = {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}
    optim = OptimWrapper(torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.1))
    log = model.train_step(classification_batch(), optim)
    assert set(log) == {'loss', 'loss_skipped_nonfinite'} and float(log['loss']) == 0.0
    for name, param in model.named_parameters():
        if param.requires_grad:
            assert torch.equal(param, params[name]), name  # plain SGD with a zero gradient: unchanged


def test_build_time_probe_leaves_modes_and_statistics_untouched():
    model = build()
    assert not model.teacher.training and all(not m.training for m in model.teacher.modules())
    assert model.student.training
    connector_bn = [m for m in model.connectors['feat'].modules() if isinstance(m, torch.nn.BatchNorm2d)]
    assert connector_bn and all(int(bn.num_batches_tracked) == 0 for bn in connector_bn)
    student_bn = [m for m in model.student.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    assert all(int(bn.num_batches_tracked) == 0 for bn in student_bn)


def test_sskd_and_iedml_stop_on_a_nonfinite_distillation_loss_before_any_update():
    """The same guard in every distiller's code path."""
    import warnings

    from conftest import classification_batch, tiny_classifier
    from mmengine.optim import OptimWrapper

    from mmiekd.engine.optimizers import BranchOptimWrapperConstructor
    from mmiekd.models import IEDMLDistiller, SSKDDistiller
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        sskd = SSKDDistiller(student=tiny_classifier(4), teacher=tiny_classifier(4), head_length=1,
                             stages=[dict(student=f'backbone.layer{i}', teacher=f'backbone.layer{i}', length=1)
                                     for i in range(1, 5)])
    with torch.no_grad():
        sskd.teacher.backbone.conv1.weight.fill_(float('nan'))
    before = {k: v.detach().clone() for k, v in sskd.student.named_parameters()}
    with pytest.raises(FloatingPointError, match='`sskd.loss_stage1` = nan'):
        sskd.train_step(classification_batch(), OptimWrapper(torch.optim.SGD(sskd.parameters(), lr=0.1)))
    assert all(torch.equal(v, before[k]) for k, v in sskd.student.named_parameters()), 'no weight updated'
    with pytest.raises(ValueError, match='`nonfinite_loss` must be'):
        SSKDDistiller(student=tiny_classifier(4), teacher=tiny_classifier(4), head_length=1, nonfinite_loss='no',
                      stages=[dict(student='backbone.layer1', teacher='backbone.layer1', length=1)])

    dml = IEDMLDistiller(net1=tiny_classifier(4), net2=tiny_classifier(4),
                         ie=dict(feature='backbone.layer4', channels=32, factor_channels=8))
    with torch.no_grad():
        next(dml.ie_heads['net2'].autoencoder.encoder.parameters()).fill_(float('inf'))
    cfg = dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.1))
    optims = BranchOptimWrapperConstructor(dict(net1=cfg, net2=dict(cfg)))(dml)
    before = {k: v.detach().clone() for k, v in dml.net1.named_parameters()}
    with pytest.raises(FloatingPointError, match='Non-finite distillation loss'):
        dml.train_step(classification_batch(), optims)
    assert all(torch.equal(v, before[k]) for k, v in dml.net1.named_parameters()), 'net1 not updated either'


def test_sskd_teacher_in_bf16_through_the_same_core_helper():
    """SSKD's teacher runs in the core's teacher precision too: bf16 forward, fp32 mimic loss close to fp32's."""
    from mmiekd.models import SSKDDistiller

    def sskd(**kwargs):
        torch.manual_seed(0)
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            return SSKDDistiller(student=tiny_classifier(4), teacher=tiny_classifier(4), head_length=1,
                                 stages=[dict(student=f'backbone.layer{i}', teacher=f'backbone.layer{i}', length=1)
                                         for i in range(1, 5)], **kwargs)

    fp32, bf16 = sskd(), sskd(teacher_precision='bf16')
    bf16.load_state_dict(fp32.state_dict())
    seen = []
    # (on a block inside the stage: the stage's own recorder hook ends the forward)
    bf16.teacher.backbone.layer1[0].register_forward_hook(lambda m, i, o: seen.append(o.dtype))
    loss_32 = distill_loss(fp32)['sskd.loss_stage1']
    loss_16 = distill_loss(bf16)['sskd.loss_stage1']
    assert seen == [torch.bfloat16] and loss_16.dtype == torch.float32
    assert torch.allclose(loss_16, loss_32, rtol=0.05)
    with pytest.raises(ValueError, match='`teacher_precision` must be one of .*got \'fp8\''):
        sskd(teacher_precision='fp8')


def test_iedml_skips_a_nonfinite_step_for_both_networks_when_asked():
    """IE-DML on the core: ``nonfinite_loss='skip'`` leaves both networks and their IE modules as they were."""
    from mmiekd.engine.optimizers import BranchOptimWrapperConstructor
    from mmiekd.models import IEDMLDistiller
    torch.manual_seed(0)
    dml = IEDMLDistiller(net1=tiny_classifier(4), net2=tiny_classifier(4), nonfinite_loss='skip',
                         ie=dict(feature='backbone.layer4', channels=32, factor_channels=8))
    dml.exploration_loss.register_forward_hook(lambda module, args, out: out * float('nan'))
    cfg = dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.1, momentum=0.9))
    optims = BranchOptimWrapperConstructor(dict(net1=cfg, net2=copy.deepcopy(cfg)))(dml)
    before = {k: v.detach().clone() for k, v in dml.named_parameters()}
    logs = dml.train_step(classification_batch(), optims)
    assert set(logs) == {'net1.loss_skipped_nonfinite', 'net1.loss_total', 'net2.loss_skipped_nonfinite',
                         'net2.loss_total'} and all(float(v) == 0 for v in logs.values())
    changed = [k for k, v in dml.named_parameters() if not torch.equal(v, before[k])]
    assert not changed
    # every trainable parameter took part (with a zero gradient), as DDP needs
    assert all(p.grad is None or not p.grad.any() for p in dml.parameters())
    with pytest.raises(ValueError, match='`nonfinite_loss` must be'):
        IEDMLDistiller(net1=tiny_classifier(4), net2=tiny_classifier(4), nonfinite_loss='ignore',
                       ie=dict(feature='backbone.layer4', channels=32, factor_channels=8))


def test_every_distiller_is_built_on_the_one_core():
    from mmiekd.models import IAKDDistiller, IEDMLDistiller, IEKDDistiller, SSKDDistiller
    from mmiekd.models.distillers.single_teacher_distiller import DistillerCore, NetworksCore
    for cls in (SingleTeacherDistiller, IEKDDistiller, IAKDDistiller, SSKDDistiller):
        assert issubclass(cls, DistillerCore)
    assert issubclass(IEDMLDistiller, NetworksCore) and not issubclass(IEDMLDistiller, DistillerCore)
    assert NetworksCore.name_task_losses({'loss': 1, 'acc': 2}) == {'student.loss': 1, 'acc': 2}
    assert NetworksCore.name_task_losses({'loss': 1, 'acc': 2}, 'net2', prefix_all=True) == {
        'net2.loss': 1, 'net2.acc': 2}
