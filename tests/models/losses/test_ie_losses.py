"""IE-KD losses against hand-computed values."""
import math

import pytest
import torch

from mmiekd.models.losses import IEAttentionLoss, IEExplorationLoss, IEInheritanceLoss


def test_inheritance_and_norm_exploration_hand_values():
    s = torch.tensor([[3., 4.]])
    t = torch.tensor([[4., 3.]])
    # normalised (0.6, 0.8) vs (0.8, 0.6): mean |diff| = 0.2
    assert IEInheritanceLoss(loss_weight=2.0)(s, t).item() == pytest.approx(0.4)
    assert IEExplorationLoss(form='norm', loss_weight=2.0)(s, t).item() == pytest.approx(-0.4)


def test_exploration_is_negative_and_decreases_as_factors_diverge():
    t = torch.tensor([[1., 0.]])
    close = IEExplorationLoss()(torch.tensor([[1., 0.1]]), t)
    far = IEExplorationLoss()(torch.tensor([[0.1, 1.]]), t)
    assert close.item() < 0 and far.item() < close.item(), 'minimising it pushes the factor away'


def test_cosine_exploration_hand_value():
    s = torch.tensor([[1., 0.], [1., 1.]])
    t = torch.tensor([[1., 1.], [-1., 1.]])
    # |cos| per sample: 1/sqrt(2) and 0 -> mean 1/(2 sqrt 2)
    value = IEExplorationLoss(form='cosine', loss_weight=3.0)(s, t)
    assert value.item() == pytest.approx(3.0 / (2 * math.sqrt(2)), rel=1e-6)
    assert value.item() >= 0


def test_attention_inheritance_and_exploration_have_opposite_signs():
    s = torch.tensor([[[[1., 0.]], [[1., 0.]]]])  # attention [1, 0]
    t = torch.tensor([[[[0., 1.]]]])  # attention [0, 1]
    assert IEAttentionLoss()(s, t).item() == pytest.approx(1.0)
    assert IEAttentionLoss(explore=True, loss_weight=2.0)(s, t).item() == pytest.approx(-2.0)


def test_bad_form_and_weight_are_rejected():
    with pytest.raises(ValueError, match='form'):
        IEExplorationLoss(form='l2')
    with pytest.raises(ValueError, match='loss_weight'):
        IEInheritanceLoss(loss_weight=-0.5)
