"""IEDMLDistiller: one optimizer per network, mutual targets detached, online auto-encoders."""
import copy

import pytest
import torch
from conftest import classification_batch, tiny_classifier

from mmiekd.engine.optimizers import BranchOptimWrapperConstructor
from mmiekd.models import IEDMLDistiller

IE = dict(feature='backbone.layer4', channels=32, factor_channels=8)


def build(**kwargs):
    torch.manual_seed(0)
    return IEDMLDistiller(net1=tiny_classifier(4), net2=tiny_classifier(4), ie=dict(IE), **kwargs)


def optimizers(model, lr=0.1):
    cfg = dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=lr, momentum=0.9))
    return BranchOptimWrapperConstructor(dict(net1=cfg, net2=copy.deepcopy(cfg)))(model)


def test_each_optimizer_owns_its_network_and_ie_modules():
    model = build()
    wrappers = optimizers(model)
    owned = {name: {id(p) for group in w.optimizer.param_groups for p in group['params']}
             for name, w in wrappers.items()}
    assert owned['net1'] == {id(p) for p in model.net1.parameters()} | {id(p) for p in model.ie_heads['net1'].parameters()}
    assert not owned['net1'] & owned['net2']
    with pytest.raises(KeyError, match='one config per branch'):
        BranchOptimWrapperConstructor(dict(net1=dict(optimizer=dict(type='SGD', lr=1))))(model)


def test_train_step_updates_both_networks_and_logs_both():
    model = build()
    before = {n: copy.deepcopy(getattr(model, n).state_dict()) for n in ('net1', 'net2')}
    model.train()
    logs = model.train_step(classification_batch(), optimizers(model))
    for name in ('net1', 'net2'):
        assert {f'{name}.loss', f'{name}.ie.loss_inh', f'{name}.ie.loss_exp', f'{name}.loss_dml',
                f'{name}.loss_recon', f'{name}.loss_total'} <= set(logs)
        assert logs[f'{name}.ie.loss_exp'] < 0 < logs[f'{name}.ie.loss_inh']
        changed = [k for k, v in getattr(model, name).state_dict().items() if not torch.equal(v, before[name][k])]
        assert any('backbone.conv1.weight' in k for k in changed)


def test_mutual_targets_and_reconstruction_do_not_leak_gradients():
    model = build()
    model.train()
    data = model.data_preprocessor(classification_batch(), True)
    for name in ('net1', 'net2'):
        with model.recorders[name].recording():
            getattr(model, name)(data['inputs'], data['data_samples'], mode='loss')
    feature2 = model.recorders['net2'].get('backbone.layer4').detach()
    code2 = model.ie_heads['net2'].autoencoder.encode(feature2)
    losses = model._mutual_losses('net1', 'net2', code2.detach())
    sum(losses.values()).backward()
    assert all(p.grad is None for p in model.net2.parameters()), 'net1\'s losses must not train net2'
    assert all(p.grad is None for p in model.ie_heads['net2'].parameters())
    assert model.net1.backbone.layer4[0].conv1.weight.grad.abs().sum() > 0
    model.zero_grad(set_to_none=True)
    feature1 = model.recorders['net1'].get('backbone.layer4').detach()
    model.ie_heads['net1'].autoencoder.reconstruction_loss(feature1).backward()
    assert all(p.grad is None for p in model.net1.parameters()), 'the online auto-encoder sees detached features'
    assert model.ie_heads['net1'].autoencoder.encoder[1].weight.grad is not None


def test_eval_branch_selects_the_network_that_predicts():
    model = build()
    model.eval()
    data = model.data_preprocessor(classification_batch(), False)
    assert torch.allclose(model(data['inputs'], mode='tensor'), model.net1(data['inputs'], mode='tensor'))
    model.eval_branch = 'net2'
    assert torch.allclose(model(data['inputs'], mode='tensor'), model.net2(data['inputs'], mode='tensor'))


def test_bad_config_is_rejected():
    with pytest.raises(ValueError, match='ie.channels.*even'):
        IEDMLDistiller(net1=tiny_classifier(4), net2=tiny_classifier(4), ie=dict(IE, channels=31))
    with pytest.raises(KeyError, match=r'ie.feature.*net1 has no module named "backbone.nope"'):
        IEDMLDistiller(net1=tiny_classifier(4), net2=tiny_classifier(4), ie=dict(IE, feature='backbone.nope'))
    with pytest.raises(KeyError, match=r"`ie`: unknown keys \['student_channels'\]"):
        IEDMLDistiller(net1=tiny_classifier(4), net2=tiny_classifier(4), ie=dict(IE, student_channels=32))
    with pytest.raises(ValueError, match='ie.split.*"natural" or "random"'):
        IEDMLDistiller(net1=tiny_classifier(4), net2=tiny_classifier(4), ie=dict(IE, split='halves'))


def test_random_split_selects_the_permuted_channels():
    model = IEDMLDistiller(net1=tiny_classifier(4), net2=tiny_classifier(4),
                           ie=dict(IE, split='random', split_seed=3))
    order = torch.randperm(32, generator=torch.Generator().manual_seed(3))
    assert torch.equal(model.split_order, order) and not torch.equal(order, torch.arange(32))
    seen, features = [], []
    model.ie_heads['net1'].inheritance_encoder.register_forward_pre_hook(lambda m, a: seen.append(a[0]))
    model.ie_heads['net1'].exploration_encoder.register_forward_pre_hook(lambda m, a: seen.append(a[0]))
    model.net1.backbone.layer4.register_forward_hook(lambda m, a, out: features.append(out))
    model.train_step(classification_batch(), optimizers(model))
    assert torch.equal(seen[0], features[0][:, order[:16]].float())
    assert torch.equal(seen[1], features[0][:, order[16:]].float())


def test_pool_runs_the_ie_modules_on_the_pooled_feature():
    torch.manual_seed(0)
    model = IEDMLDistiller(net1=tiny_classifier(4), net2=tiny_classifier(4), ie=dict(IE, pool=2))
    shapes = []
    for name in ('net1', 'net2'):
        head = model.ie_heads[name]
        for module in (head.autoencoder.encoder, head.inheritance_encoder):
            module.register_forward_hook(lambda m, i, o: shapes.append(tuple(i[0].shape)))
    model.train()
    logs = model.train_step(classification_batch(), optimizers(model))
    # layer4 gives (4, 32, 4, 4); pooled by 2: (4, 32, 2, 2) into the auto-encoder, its half into the encoder.
    assert sorted(set(shapes)) == [(4, 16, 2, 2), (4, 32, 2, 2)]
    assert all(torch.isfinite(v) for v in logs.values())
    with pytest.raises(ValueError, match=r'ie.pool'):
        IEDMLDistiller(net1=tiny_classifier(4), net2=tiny_classifier(4), ie=dict(IE, pool=0))
