"""IAKD: every trainable parameter takes part in every step's loss, so DDP needs no find_unused_parameters."""
import warnings

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from conftest import classification_batch, tiny_classifier
from mmengine.model import MMDistributedDataParallel
from mmengine.optim import OptimWrapper

from mmiekd.models import IAKDDistiller

# Student widths 4/4/8/16/32 (stem, layer1..4), teacher 8/8/16/32/64: layer1 and layer2 are swappable through
# connectors; a FitNet term on layer4 has a connector too.
BLOCKS = [
    dict(student='backbone.layer1', teacher='backbone.layer1',
         in_connector=dict(type='mmiekd.ConvConnector', in_channels=4, out_channels=8),
         out_connector=dict(type='mmiekd.ConvConnector', in_channels=8, out_channels=4)),
    dict(student='backbone.layer2', teacher='backbone.layer2',
         in_connector=dict(type='mmiekd.ConvConnector', in_channels=4, out_channels=8),
         out_connector=dict(type='mmiekd.ConvConnector', in_channels=16, out_channels=8)),
]
FEAT = dict(feat=dict(student='backbone.layer4', teacher='backbone.layer4', loss=dict(type='mmiekd.FeatureMSELoss'),
                      connector=dict(type='mmiekd.ConvConnector', in_channels=32, out_channels=64)))
SWAPPED = ['student.backbone.layer1.', 'student.backbone.layer2.']


def build(swap_prob, blocks=BLOCKS, teacher=None, distill=FEAT):
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        model = IAKDDistiller(student=tiny_classifier(4), teacher=teacher or tiny_classifier(8), blocks=blocks,
                              distill=distill, swap_prob=swap_prob, input_shape=(3, 32, 32))
    return model.train()


def backward_one_step(model, seed=0):
    data = model.data_preprocessor(classification_batch(seed=seed), True)
    losses = model(**data, mode='loss')
    total, _ = model.parse_losses(losses)
    total.backward()
    return losses, total


def grads(model, prefixes):
    return {n: p.grad for n, p in model.named_parameters() if any(n.startswith(x) for x in prefixes)}


def test_all_swapped_every_parameter_gets_a_gradient_and_swapped_blocks_get_exactly_zero():
    model = build(swap_prob=1.0)
    losses, total = backward_one_step(model)
    assert model.swapped == [True, True]
    trainable = {n: p for n, p in model.named_parameters() if p.requires_grad}
    assert trainable and all(p.grad is not None for p in trainable.values()), \
        [n for n, p in trainable.items() if p.grad is None]
    swapped = grads(model, SWAPPED)
    assert swapped and all(torch.equal(g, torch.zeros_like(g)) for g in swapped.values())
    # The swapped pairs' connectors and the rest of the student are used and trained.
    for prefix in ('in_connectors.', 'out_connectors.', 'student.backbone.layer3.', 'student.head.',
                   'connectors.feat.'):
        assert sum(g.abs().sum() for g in grads(model, [prefix]).values()) > 0, prefix
    assert all(p.grad is None for p in model.teacher.parameters())
    # The zero term does not change the loss, and is not logged (it is always 0).
    assert not any('unused' in k for k in losses)
    assert total.item() == sum(v for k, v in losses.items() if 'loss' in k).item()


def test_none_swapped_the_student_blocks_learn_and_the_unused_connectors_get_exactly_zero():
    model = build(swap_prob=0.0)
    losses, total = backward_one_step(model)
    assert model.swapped == [False, False]
    assert all(p.grad is not None for p in model.parameters() if p.requires_grad)
    for prefix in SWAPPED:
        assert sum(g.abs().sum() for g in grads(model, [prefix]).values()) > 0, prefix
    for name, grad in grads(model, ['in_connectors.', 'out_connectors.']).items():
        assert torch.equal(grad, torch.zeros_like(grad)), name
    assert total.item() == sum(v for k, v in losses.items()).item()


def test_inactive_term_parameters_get_exactly_zero():
    model = build(swap_prob=0.0)
    model.set_term_active('feat', False)
    losses, _ = backward_one_step(model)
    assert 'distill.loss_feat' not in losses
    feat = grads(model, ['connectors.feat.'])
    assert feat and all(g is not None and torch.equal(g, torch.zeros_like(g)) for g in feat.values())


def test_nested_blocks_count_once_and_the_inner_connectors_are_unused():
    blocks = [dict(student='backbone.layer3', teacher='backbone.layer3'),
              dict(student='backbone.layer3.1', teacher='backbone.layer3.1',
                   in_connector=dict(type='mmiekd.ConvConnector', in_channels=16, out_channels=16),
                   out_connector=dict(type='mmiekd.ConvConnector', in_channels=16, out_channels=16))]
    model = build(swap_prob=1.0, blocks=blocks, teacher=tiny_classifier(4), distill=None)
    backward_one_step(model)
    assert model.swapped == [True, True] and model.effectively_swapped() == [True, False]
    for name, grad in grads(model, ['student.backbone.layer3.', 'in_connectors.', 'out_connectors.']).items():
        assert grad is not None and torch.equal(grad, torch.zeros_like(grad)), name


def test_swapped_block_still_gets_weight_decay_as_on_ddp():
    model = build(swap_prob=1.0, distill=None)
    lr, wd = 0.1, 0.01
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=wd))
    before = {n: p.detach().clone() for n, p in model.named_parameters() if n.startswith(SWAPPED[0])}
    logs = model.train_step(classification_batch(), optim)
    assert not any('unused' in k for k in logs)
    for name, param in model.named_parameters():
        if name in before:  # gradient 0: the step is the weight decay only
            assert torch.allclose(param.detach(), before[name] * (1 - lr * wd), rtol=0, atol=1e-7), name


def _train_on_rank(rank, init_file, out):
    dist.init_process_group('gloo', init_method=f'file://{init_file}', rank=rank, world_size=2)
    try:
        model = build(swap_prob=1.0)
        ddp = MMDistributedDataParallel(module=model, find_unused_parameters=False)
        optim = OptimWrapper(torch.optim.SGD(ddp.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4))
        # All blocks swapped, then none, then all again: a different set of parameters is used each step.
        for step, p in enumerate((1.0, 0.0, 1.0)):
            model.set_swap_prob(p)
            ddp.train_step(classification_batch(seed=10 * rank + step), optim)
        state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        if rank == 0:
            torch.save(state, out + '.0')
        else:
            torch.save(state, out + '.1')
    finally:
        dist.destroy_process_group()


def test_ddp_without_find_unused_parameters_trains_through_changing_swaps(tmp_path):
    out = str(tmp_path / 'state.pt')
    mp.spawn(_train_on_rank, args=(str(tmp_path / 'init'), out), nprocs=2, join=True)
    rank0, rank1 = (torch.load(out + f'.{r}', weights_only=True) for r in (0, 1))
    params = [k for k in rank0 if 'running' not in k and 'num_batches' not in k]
    assert all(torch.allclose(rank0[k].float(), rank1[k].float()) for k in params), 'the ranks stay in sync'
