"""IAKDDistiller: hybrid forward, gradients, frozen teacher, reproducible draws, bad input."""
import copy
import warnings

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from conftest import classification_batch, tiny_classifier
from mmengine.optim import OptimWrapper

from mmiekd.engine.hooks import IAKDSwapHook
from mmiekd.models import IAKDDistiller
from mmiekd.models.distillers.iakd_distiller import IAKDSwapBlock

STAGES = ['backbone.conv1', 'backbone.bn1'] + [f'backbone.layer{i}' for i in range(1, 5)]


def teacher_cfg():
    cfg = tiny_classifier(4)
    cfg['backbone']['depth'] = 34  # same widths as the student, more blocks per stage
    return cfg


def build(blocks=None, teacher=None, **kwargs):
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return IAKDDistiller(student=tiny_classifier(4), teacher=teacher or teacher_cfg(),
                             blocks=blocks or [dict(student=n, teacher=n) for n in STAGES],
                             input_shape=(3, 32, 32), **kwargs)


def hybrid_features(model, swapped):
    for wrapper, flag in zip(model.swap_blocks, swapped):
        wrapper.swapped = flag
    try:
        return model.student.backbone(model.data_preprocessor(classification_batch(), False)['inputs'])[-1]
    finally:
        for wrapper in model.swap_blocks:
            wrapper.swapped = False


def test_all_swapped_is_the_teacher_and_none_swapped_is_the_student():
    model = build()
    model.eval()
    inputs = model.data_preprocessor(classification_batch(), False)['inputs']
    with torch.no_grad():
        assert torch.allclose(hybrid_features(model, [True] * 6), model.teacher.backbone(inputs)[-1])
        assert torch.allclose(hybrid_features(model, [False] * 6), model.student.backbone(inputs)[-1])
    model.set_swap_prob(1.0)
    assert model.draw(0) == [True] * 6
    model.set_swap_prob(0.0)
    assert model.draw(0) == [False] * 6


def test_swapped_block_is_skipped_and_gets_no_gradient_but_earlier_blocks_do():
    model = build()
    model.train()
    calls = []
    model.student.backbone.layer2[0].register_forward_pre_hook(lambda *a: calls.append('student.layer2.0'))
    swapped = [False, False, False, True, False, False]  # layer2 swapped
    features = hybrid_features(model, swapped)
    assert calls == [], 'a swapped student block is not computed'
    # The bare forward gives it no gradient; `loss()` adds a zero term for it (test_iakd_unused_params.py).
    features.pow(2).mean().backward()
    assert all(p.grad is None for p in model.student.backbone.layer2.parameters())
    assert model.student.backbone.layer1[0].conv1.weight.grad.abs().sum() > 0, 'gradients cross the teacher block'
    assert model.student.backbone.layer3[0].conv1.weight.grad.abs().sum() > 0
    assert all(p.grad is None for p in model.teacher.parameters())


def test_teacher_never_changes_and_evaluation_is_the_pure_student():
    model = build(swap_prob=0.5)
    teacher = copy.deepcopy(model.teacher.state_dict())
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-3))
    model.train()
    for i in range(3):
        model.train_step(classification_batch(seed=i), optim)
    assert int(model.swap_step) == 3
    assert all(torch.equal(v, teacher[k]) for k, v in model.teacher.state_dict().items())
    model.set_swap_prob(1.0)
    model.eval()
    data = model.data_preprocessor(classification_batch(), False)
    assert torch.allclose(model(data['inputs'], mode='tensor'), model.student(data['inputs'], mode='tensor'))


def test_teacher_is_not_run_as_a_whole_without_a_distillation_term():
    model = build(swap_prob=0.0)
    calls = []
    model.teacher.register_forward_pre_hook(lambda *a: calls.append(1))
    model.train_step(classification_batch(), OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.01)))
    assert calls == []
    kd = build(swap_prob=0.0, distill=dict(logits=dict(student='head.fc', teacher='head.fc',
                                                      loss=dict(type='mmiekd.KDLoss'))))
    logs = kd.train_step(classification_batch(), OptimWrapper(torch.optim.SGD(kd.parameters(), lr=0.01)))
    assert 'distill.loss_logits' in logs


def test_draws_are_reproducible_and_the_state_is_checkpointed():
    a, b = build(swap_prob=0.5, seed=3), build(swap_prob=0.5, seed=3)
    assert [a.draw(s) for s in range(20)] == [b.draw(s) for s in range(20)]
    assert [a.draw(s) for s in range(20)] != [build(swap_prob=0.5, seed=4).draw(s) for s in range(20)]
    a.set_swap_prob(0.25)
    a.swap_step.fill_(7)
    b.load_state_dict(a.state_dict())
    assert float(b.swap_prob) == 0.25 and int(b.swap_step) == 7


def _draw_on_rank(rank, init_file, out):
    dist.init_process_group('gloo', init_method=f'file://{init_file}', rank=rank, world_size=2)
    torch.manual_seed(rank)  # different global RNG per rank must not matter
    model = build(swap_prob=0.5, seed=11)
    draws = torch.tensor([model.draw(s) for s in range(16)], dtype=torch.int64)
    gathered = [torch.zeros_like(draws) for _ in range(2)]
    dist.all_gather(gathered, draws)
    if rank == 0:
        torch.save(gathered, out)
    dist.destroy_process_group()


def test_same_draws_on_two_gloo_ranks(tmp_path):
    out = str(tmp_path / 'draws.pt')
    mp.spawn(_draw_on_rank, args=(str(tmp_path / 'init'), out), nprocs=2, join=True)
    rank0, rank1 = torch.load(out, weights_only=True)
    assert torch.equal(rank0, rank1) and 0 < int(rank0.sum()) < rank0.numel()


def test_bad_shapes_and_probabilities_are_rejected():
    wider = tiny_classifier(8)
    with pytest.raises(ValueError, match=r'blocks\[0\].*backbone.conv1.*out_connector'):
        build(teacher=wider)
    bridged = build(teacher=wider, blocks=[dict(
        student='backbone.layer1', teacher='backbone.layer1',
        in_connector=dict(type='mmiekd.ConvConnector', in_channels=4, out_channels=8),
        out_connector=dict(type='mmiekd.ConvConnector', in_channels=8, out_channels=4))])
    assert len(bridged.in_connectors) == 1
    with pytest.raises(ValueError, match='swap_prob'):
        build(swap_prob=1.5)
    with pytest.raises(ValueError, match='p_start'):
        IAKDSwapHook(p_start=-0.1)
    with pytest.raises(KeyError, match=r'blocks\[0\].student.*no module named "backbone.layer7"'):
        build(blocks=[dict(student='backbone.layer7', teacher='backbone.layer1')])


@pytest.mark.parametrize('schedule, expected', [
    ('constant', [0.8, 0.8, 0.8, 0.8, 0.8]),
    ('linear', [0.8, 0.6, 0.4, 0.2, 0.0]),
    ('cosine', [0.8, 0.8 * (1 + 2**-0.5) / 2, 0.4, 0.8 * (1 - 2**-0.5) / 2, 0.0]),
    ('step', [0.8, 0.8, 0.4, 0.4, 0.0]),
])
def test_swap_schedule_values(schedule, expected):
    hook = IAKDSwapHook(p_start=0.8, p_end=0.0, schedule=schedule, milestones=[2], gamma=0.5)
    assert [hook.value(i, 4) for i in range(5)] == pytest.approx(expected)


def test_swap_schedule_begin():
    """``begin``: no swaps before it (the student alone first), then the schedule over [begin, end)."""
    hook = IAKDSwapHook(p_start=0.6, p_end=0.0, schedule='linear', begin=2, end=5)
    assert [hook.value(i, 8) for i in range(7)] == pytest.approx([0.0, 0.0, 0.6, 0.4, 0.2, 0.0, 0.0])
    with pytest.raises(ValueError, match=r'`IAKDSwapHook.begin` \(5\) must be below `end` \(5\)'):
        IAKDSwapHook(begin=5, end=5)
    with pytest.raises(ValueError, match='IAKDSwapHook.begin'):
        IAKDSwapHook(begin=-1)


def test_a_frozen_student_block_is_refused_when_training_starts():
    """mmdet's `frozen_stages` freezes a stage when the model enters training mode: swapping that stage would
    train nothing (the COCO recipe swapped a frozen layer1), so training mode refuses it, naming the block."""
    student = tiny_classifier(4)
    student['backbone']['frozen_stages'] = 1  # mmpretrain's ResNet: stem and layer1 frozen in train mode
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        model = IAKDDistiller(student=student, teacher=teacher_cfg(), input_shape=(3, 32, 32),
                              blocks=[dict(student=f'backbone.layer{i}', teacher=f'backbone.layer{i}')
                                      for i in (1, 2)])
    with pytest.raises(ValueError, match=r'blocks\[0\]\.student.*backbone.layer1.*no trainable parameter'):
        model.train()
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        ok = IAKDDistiller(student=student, teacher=teacher_cfg(), input_shape=(3, 32, 32),
                           blocks=[dict(student='backbone.layer2', teacher='backbone.layer2')])
    ok.train()  # layer2 trains: accepted
    assert not any(p.requires_grad for p in ok.student.backbone.layer1.parameters())


def test_coco_recipe_swaps_only_stages_the_student_trains():
    from mmengine.config import Config
    from conftest import ROOT
    cfg = Config.fromfile(f'{ROOT}/configs/iakd/faster_rcnn_r50_r101.py')
    from mmiekd.utils.model_config import load_model_cfg
    frozen = load_model_cfg(cfg.model.student, 'student').backbone.frozen_stages
    swapped = [int(b['student'][-1]) for b in cfg.model.blocks]
    assert frozen == 1 and min(swapped) > frozen


def test_a_deep_copy_computes_with_its_own_weights_and_swap_state():
    model = build(swap_prob=0.5)
    model.eval()
    inputs = model.data_preprocessor(classification_batch(), False)['inputs']
    with torch.no_grad():
        before = model.student.backbone(inputs)[-1]
        copied = copy.deepcopy(model)
        for net in (copied.student, copy.deepcopy(model.student)):
            assert net.backbone.layer1.student is not model.student.backbone.layer1.student
            for p in net.backbone.layer1.parameters():
                p.zero_()
            assert not torch.allclose(net.backbone(inputs)[-1], before), "the copy runs the copy's layer1"
            assert torch.allclose(model.student.backbone(inputs)[-1], before), 'the original is untouched'
        # The copied distiller's blocks swap in the copy's teacher blocks, on the copy's own flags.
        assert copied.swap_blocks[2].teacher is copied.teacher.backbone.layer1
        assert copied.swap_blocks[2].teacher is not model.teacher.backbone.layer1
        copied.swap_blocks[2].swapped = True
        assert not model.swap_blocks[2].swapped
        assert torch.allclose(model.student.backbone(inputs)[-1], before)


def test_state_dict_keys_are_the_plain_students():
    from mmiekd.registry import MODELS
    from mmiekd.utils import with_build_scopes
    model = build()
    plain = MODELS.build(with_build_scopes(tiny_classifier(4)))
    assert list(model.student.state_dict()) == list(plain.state_dict())
    assert not any('.student.' in k for k in model.state_dict())
    model.student.load_state_dict(plain.state_dict())  # strict: plain keys load into the wrapped student
    assert torch.equal(model.student.backbone.layer1[0].conv1.weight, plain.backbone.layer1[0].conv1.weight)
    assert len(model.student.backbone.layer1) == len(plain.backbone.layer1)


def test_build_shape_check_leaves_connector_statistics_untouched():
    connector = dict(type='mmiekd.ConvConnector', in_channels=32, out_channels=32)
    model = build(blocks=[dict(student='backbone.layer4', teacher='backbone.layer4', out_connector=connector)])
    bns = [m for m in model.out_connectors[0].modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    assert bns, 'ConvConnector has a BN layer'
    assert all(int(m.num_batches_tracked) == 0 and torch.equal(m.running_mean, torch.zeros_like(m.running_mean))
               for m in bns)


def test_init_weights_reaches_the_wrapped_blocks_as_without_the_wrapper():
    """mmdet's ResNet zero-initialises each residual block's last BN through an ``init_cfg`` of the blocks
    themselves; MMEngine's ``init_weights`` must still reach them through ``IAKDSwapBlock`` (it did not: the
    wrapped stages started from a different initialisation than the student alone)."""
    from mmengine.config import Config
    from mmengine.model import BaseModule
    from conftest import ROOT
    from mmiekd.registry import MODELS
    from mmiekd.utils import with_build_scopes
    from mmiekd.utils.model_config import load_model_cfg
    cfg = Config.fromfile(f'{ROOT}/configs/iakd/tiny/iakd_faster_rcnn_tiny_shapes.py')
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        model = MODELS.build(with_build_scopes(cfg.model))
        model.init_weights()
        plain = MODELS.build(with_build_scopes(load_model_cfg(cfg.model.student, 'student')))
        plain.init_weights()
    assert all(m.is_init for m in model.student.modules() if isinstance(m, BaseModule))
    for i in range(1, 5):
        wrapped, alone = model.student.backbone.get_submodule(f'layer{i}'), plain.backbone.get_submodule(f'layer{i}')
        assert isinstance(wrapped, IAKDSwapBlock)
        for block, plain_block in zip(wrapped, alone):
            # zero_init_residual: the block's last BN starts at 0 in the student alone and in the wrapped one.
            assert torch.count_nonzero(plain_block.norm2.weight) == 0
            assert torch.equal(block.norm2.weight, plain_block.norm2.weight)
            assert torch.equal(block.norm1.weight, plain_block.norm1.weight)
