"""Every distiller leaves the student's initialisation and the run's random stream as the student alone has them.

A seed must mean the same initial student (and, after it, the same random draws in training: RoI sampling,
augmentation) with and without distillation, or ``compare_methods.py``'s paired differences compare draws
instead of methods. Before this was kept, building the teacher, connectors and auto-encoders after the student
and initialising them changed both.
"""
import warnings

import pytest
import torch
from conftest import assert_same_draws, global_draws, seed_all, tiny_classifier

from mmiekd.registry import MODELS
from mmiekd.utils import random_state_kept

SSKD_STAGES = [dict(student=f'backbone.layer{i + 1}', teacher=f'backbone.layer{i + 1}', length=2,
                    connector=dict(type='mmiekd.ConvConnector', in_channels=s, out_channels=t))
               for i, (s, t) in enumerate([(4, 8), (8, 16), (16, 32), (32, 64)])]
WIDER = dict(type='mmiekd.ConvConnector', in_channels=4, out_channels=8)
NARROWER = dict(type='mmiekd.ConvConnector', in_channels=8, out_channels=4)

DISTILLERS = dict(
    fitnet=dict(type='mmiekd.SingleTeacherDistiller', distill=dict(feat=dict(
        student='backbone.layer4', teacher='backbone.layer4', loss=dict(type='mmiekd.FeatureMSELoss'),
        connector=dict(type='mmiekd.ConvConnector', in_channels=32, out_channels=64)))),
    iekd=dict(type='mmiekd.IEKDDistiller', ie=dict(student='backbone.layer4', teacher='backbone.layer4',
                                                   student_channels=32, teacher_channels=64, factor_channels=8)),
    iakd=dict(type='mmiekd.IAKDDistiller', input_shape=(3, 32, 32),
              blocks=[dict(student='backbone.layer1', teacher='backbone.layer1', in_connector=WIDER,
                           out_connector=NARROWER)]),
    sskd=dict(type='mmiekd.SSKDDistiller', stages=SSKD_STAGES, head_length=2),
)


def student_alone(seed=0):
    seed_all(seed)
    student = MODELS.build(tiny_classifier(4))
    built = {k: v.clone() for k, v in student.state_dict().items()}
    student.init_weights()
    return built, student.state_dict(), global_draws()


def distilled(cfg, seed=0, student_key='student'):
    seed_all(seed)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # no teacher_ckpt: the teacher is untrained (and initialised too)
        if student_key == 'student':
            model = MODELS.build(dict(cfg, student=tiny_classifier(4), teacher=tiny_classifier(8)))
        else:
            model = MODELS.build(cfg)
    student = getattr(model, student_key)
    built = {k: v.clone() for k, v in student.state_dict().items()}
    model.init_weights()
    return model, built, student.state_dict(), global_draws()


def assert_same(a, b):
    assert a.keys() == b.keys()
    differing = [k for k in a if not torch.equal(a[k], b[k])]
    assert not differing, f'{len(differing)} of {len(a)} tensors differ, e.g. {differing[:3]}'


@pytest.mark.parametrize('method', sorted(DISTILLERS))
def test_the_student_and_the_random_stream_are_those_of_the_student_alone(method):
    built, initialised, after = student_alone()
    model, d_built, d_initialised, d_after = distilled(DISTILLERS[method])
    assert_same(d_built, built)  # as the runner builds it
    assert_same(d_initialised, initialised)  # after the runner's init_weights
    # and training then draws what the student alone draws (RoI sampling, augmentation)
    assert_same_draws(d_after, after)
    # The teacher was built and initialised too (from other draws than the student's).
    assert model.teacher.is_init


def test_another_seed_gives_another_student():
    _, a, _ = student_alone(0)
    _, _, b, _ = distilled(DISTILLERS['fitnet'], seed=1)
    assert not torch.equal(a['backbone.conv1.weight'], b['backbone.conv1.weight'])


def test_iedml_first_network_is_the_network_alone_and_the_two_differ():
    _, initialised, after = student_alone()
    model, _, net1, d_after = distilled(
        dict(type='mmiekd.IEDMLDistiller', net1=tiny_classifier(4), net2=tiny_classifier(4),
             ie=dict(feature='backbone.layer4', channels=32, factor_channels=8)), student_key='net1')
    assert_same(net1, initialised)
    assert torch.equal(d_after[0], after[0])
    # Mutual learning needs two different networks: the second draws its own weights.
    assert not torch.equal(model.net2.backbone.conv1.weight, model.net1.backbone.conv1.weight)


def test_random_state_kept_restores_every_generator():
    seed_all(3)
    expected = global_draws()
    seed_all(3)
    with random_state_kept():
        global_draws()
        torch.randn(100)
    assert_same_draws(global_draws(), expected)
