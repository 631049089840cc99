"""SSKDDistiller: what each stage trains and freezes, how far each network runs, and bad stage lists."""
import warnings

import pytest
import torch
from conftest import classification_batch, tiny_classifier
from mmengine.optim import OptimWrapper

from mmiekd.models import SSKDDistiller


def stages(lengths=(2, 2, 2, 2)):
    widths = [(4, 8), (8, 16), (16, 32), (32, 64)]
    return [dict(student=f'backbone.layer{i + 1}', teacher=f'backbone.layer{i + 1}', length=n,
                 connector=dict(type='mmiekd.ConvConnector', in_channels=s, out_channels=t))
            for i, ((s, t), n) in enumerate(zip(widths, lengths))]


def build(stage_list=None, **kwargs):
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return SSKDDistiller(student=tiny_classifier(4), teacher=tiny_classifier(8),
                             stages=stages() if stage_list is None else stage_list, head_length=2, **kwargs)


def snapshot(module):
    return {k: v.clone() for k, v in module.state_dict().items()}


def changed(before, module):
    return {k for k, v in module.state_dict().items() if not torch.equal(v, before[k])}


def steps(model, n=2, weight_decay=1e-2):
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=weight_decay))
    model.train()
    return [model.train_step(classification_batch(seed=i), optim) for i in range(n)]


@pytest.mark.parametrize('index', [0, 1, 3])
def test_stage_trains_only_its_stage_and_connector(index):
    model = build()
    model.set_stage(index)
    student, connectors = snapshot(model.student), snapshot(model.connectors)
    teacher = snapshot(model.teacher)
    logs = steps(model)
    assert set(logs[-1]) == {'loss', f'sskd.loss_stage{index + 1}'}, 'no task loss while transferring'
    stage_prefix = f'backbone.layer{index + 1}.'
    moved = changed(student, model.student)
    allowed = (stage_prefix, 'backbone.conv1', 'backbone.bn1') if index == 0 else (stage_prefix, )  # + stem
    assert moved and all(k.startswith(allowed) for k in moved), sorted(moved)[:5]
    assert any('running_mean' in k for k in moved), 'the trained stage updates its own BN statistics'
    assert {k.split('.')[0] for k in changed(connectors, model.connectors)} == {str(index)}
    assert not changed(teacher, model.teacher)


def test_teacher_and_student_stop_after_the_stage():
    model = build()
    model.set_stage(1)
    calls = []
    for role, net in (('teacher', model.teacher), ('student', model.student)):
        for name in ('layer2', 'layer3', 'layer4'):
            # pre-hooks: they run before the recorder's hook ends the forward after the stage
            getattr(net.backbone, name).register_forward_pre_hook(lambda *a, r=role, n=name: calls.append((r, n)))
        net.head.register_forward_pre_hook(lambda *a, r=role: calls.append((r, 'head')))
    steps(model, n=2)
    assert sorted(set(calls)) == [('student', 'layer2'), ('teacher', 'layer2')], 'nothing runs past stage 2'


def test_head_phase_leaves_backbone_and_teacher_alone():
    model = build()
    model.set_stage(model.num_stages)
    teacher_calls = []
    model.teacher.register_forward_hook(lambda *a: teacher_calls.append(1))
    model.teacher.backbone.register_forward_hook(lambda *a: teacher_calls.append(1))
    backbone, head = snapshot(model.student.backbone), snapshot(model.student.head)
    logs = steps(model)
    assert 'student.loss' in logs[-1] and not any(k.startswith('sskd') for k in logs[-1])
    assert not changed(backbone, model.student.backbone), 'weights and BN statistics of the backbone are frozen'
    assert changed(head, model.student.head)
    assert teacher_calls == []


def test_frozen_parameters_get_no_grad_and_stage_is_saved():
    model = build()
    model.set_stage(2)
    steps(model, n=1)
    assert all(p.grad is None for p in model.student.backbone.layer1.parameters())
    assert all(not p.requires_grad for n, p in model.student.named_parameters() if 'layer3' not in n)
    assert int(model.state_dict()['stage']) == 2
    other = build()
    other.load_state_dict(model.state_dict())
    assert int(other.stage) == 2


def test_stage_at_follows_the_lengths():
    model = build(stages((3, 1, 2, 1)))
    assert [model.stage_at(p) for p in range(10)] == [0, 0, 0, 1, 2, 2, 3, 4, 4, 4]


@pytest.mark.parametrize('mutate, error, pattern', [
    (lambda s: s[:3], ValueError, r'does not match the backbone: "backbone.layer4"'),
    (lambda s: [s[1], s[0], s[2], s[3]], ValueError, 'forward order'),
    (lambda s: s[:1] + [dict(s[1], student='backbone.layer9')] + s[2:], KeyError,
     r'stages\[1\].student.*no module named "backbone.layer9"'),
    (lambda s: s[:3] + [dict(s[3], length=0)], ValueError, r'stages\[3\].length'),
    (lambda s: [dict(s[0], weight=2)] + s[1:], KeyError, r'stages\[0\].*unknown keys'),
    (lambda s: [], ValueError, 'at least one'),
])
def test_bad_stage_lists_are_rejected_at_build(mutate, error, pattern):
    with pytest.raises(error, match=pattern):
        build(mutate(stages()))


def test_shape_mismatch_without_connector_is_reported_at_build_naming_the_stage_and_both_shapes():
    no_connector = [{k: v for k, v in s.items() if k != 'connector'} for s in stages()]
    with pytest.raises(ValueError, match=r'stages\[0\].*\(1, 4, 64, 64\).*\(1, 8, 64, 64\).*in_channels=4, '
                                         r'out_channels=8'):
        build(no_connector)


def test_adaptor_the_former_name_of_connector_is_read_with_a_warning_and_old_checkpoints_load():
    old_style = [{('adaptor' if k == 'connector' else k): v for k, v in s.items()} for s in stages()]
    with pytest.warns(DeprecationWarning, match=r'stages\[0\]\.adaptor.*connector'):
        model = SSKDDistiller(student=tiny_classifier(4), teacher=tiny_classifier(8), stages=old_style,
                              head_length=2)
    assert model.connectors[0].conv.in_channels == 4 and model.connectors[3].conv.out_channels == 64
    with pytest.raises(KeyError, match=r'stages\[0\].*`connector` only'):
        build([dict(s, adaptor=s['connector']) for s in stages()])
    # A checkpoint written when the connectors were ``adaptors.<i>`` loads strictly into ``connectors.<i>``.
    reference = build()
    old_checkpoint = {k.replace('connectors.', 'adaptors.', 1) if k.startswith('connectors.') else k: v + 1
                      if k == 'connectors.1.conv.weight' else v for k, v in reference.state_dict().items()}
    assert 'adaptors.1.conv.weight' in old_checkpoint
    model.load_state_dict(old_checkpoint, strict=True)
    assert torch.equal(model.connectors[1].conv.weight, reference.connectors[1].conv.weight + 1)
