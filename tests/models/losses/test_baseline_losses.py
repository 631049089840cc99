"""Baseline losses against values computed by hand from their formulas."""
import math

import pytest
import torch

from mmiekd.models.losses import ATLoss, FeatureMSELoss, FTLoss, KDLoss, factor_distance


def test_feature_mse_hand_value():
    s = torch.tensor([[1., 2.], [3., 4.]]).view(1, 1, 2, 2)
    t = torch.zeros_like(s)
    # (1 + 4 + 9 + 16) / 4 = 7.5, times the weight
    assert FeatureMSELoss(loss_weight=2.0)(s, t).item() == pytest.approx(15.0)


@pytest.mark.parametrize('tau', [1.0, 2.0])
def test_kd_loss_hand_value(tau):
    s = torch.tensor([[0., 0.]])
    t = torch.tensor([[math.log(3.), 0.]])
    # p_t = softmax(t / tau), p_s = (1/2, 1/2); KL(p_t || p_s) * tau^2
    e = 3.0**(1 / tau)
    p_t = [e / (e + 1), 1 / (e + 1)]
    expected = sum(p * math.log(p / 0.5) for p in p_t) * tau**2
    assert KDLoss(tau=tau)(s, t).item() == pytest.approx(expected, rel=1e-5)


def test_kd_loss_is_batch_mean_and_zero_for_equal_logits():
    logits = torch.randn(4, 10)
    assert KDLoss(tau=4)(logits, logits).item() == pytest.approx(0.0, abs=1e-6)
    one = KDLoss(tau=1)(torch.zeros(1, 2), torch.tensor([[math.log(3.), 0.]]))
    four = KDLoss(tau=1)(torch.zeros(4, 2), torch.tensor([[math.log(3.), 0.]]).repeat(4, 1))
    assert four.item() == pytest.approx(one.item(), rel=1e-6)


def test_at_loss_hand_value_and_channel_agnostic():
    # student: 2 channels, attention (mean of squares) = [1, 0] -> normalised [1, 0]
    s = torch.tensor([[[[1., 0.]], [[1., 0.]]]])
    # teacher: 1 channel, attention = [0, 1]
    t = torch.tensor([[[[0., 1.]]]])
    # mean((1 - 0)^2, (0 - 1)^2) = 1
    assert ATLoss(loss_weight=2.0)(s, t).item() == pytest.approx(2.0)
    assert ATLoss().check_inputs(s, t) is None
    assert 'spatial' in ATLoss().check_inputs(s, torch.zeros(1, 1, 1, 3))


@pytest.mark.parametrize('p', [1, 2])
def test_factor_distance_hand_value(p):
    a = torch.tensor([[3., 4.]])
    b = torch.tensor([[4., 3.]])
    # normalised: (0.6, 0.8) and (0.8, 0.6): |diff| = 0.2 everywhere -> 0.2 for any p
    assert factor_distance(a, b, p).item() == pytest.approx(0.2)
    assert factor_distance(a, 2 * a, p).item() == pytest.approx(0.0, abs=1e-7)


def test_ft_loss_trains_translator_only():
    torch.manual_seed(0)
    loss = FTLoss(student_channels=4, teacher_channels=6, factor_channels=3, loss_weight=1.5)
    loss.train()
    assert not loss.paraphraser.training, 'a frozen paraphraser must keep its BN statistics'
    s = torch.randn(2, 4, 5, 5, requires_grad=True)
    t = torch.randn(2, 6, 5, 5)
    value = loss(s, t)
    with torch.no_grad():
        expected = 1.5 * factor_distance(loss.translator(s), loss.paraphraser.encode(t))
    assert value.item() == pytest.approx(expected.item(), rel=1e-5)
    value.backward()
    assert s.grad is not None and s.grad.abs().sum() > 0
    assert all(p.grad is not None for p in loss.translator.parameters())
    assert all(p.grad is None and not p.requires_grad for p in loss.paraphraser.parameters())


@pytest.mark.parametrize('weight, error', [(-1.0, ValueError), (float('nan'), ValueError),
                                           (float('inf'), ValueError), ('1', TypeError), (True, TypeError)])
def test_bad_loss_weight_is_rejected(weight, error):
    with pytest.raises(error, match='loss_weight'):
        FeatureMSELoss(loss_weight=weight)


def test_kd_rejects_bad_temperature():
    with pytest.raises(ValueError, match='tau'):
        KDLoss(tau=0)
