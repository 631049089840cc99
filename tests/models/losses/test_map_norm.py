"""The map distances' two normalisations: the authors' unit L2 norm (unchanged) and the scale-free unit RMS."""
import pytest
import torch

from mmiekd.models.losses import (ATLoss, FTLoss, IEAttentionLoss, IEExplorationLoss, IEInheritanceLoss,
                                  factor_distance)
from mmiekd.models.losses.map_norm import unit_map


def test_rms_form_hand_value():
    a = torch.tensor([[3., 4.]])
    b = torch.tensor([[4., 3.]])
    # 'l2': (0.6, 0.8) - (0.8, 0.6) -> 0.2; 'rms' maps have unit root mean square: sqrt(2) times that
    assert factor_distance(a, b, normalize='rms').item() == pytest.approx(0.2 * 2**0.5)
    assert unit_map(a, 'rms').pow(2).mean().item() == pytest.approx(1.0)


def test_l2_form_is_bit_equal_to_the_authors_formula():
    torch.manual_seed(0)
    a, b = torch.randn(3, 4, 5, 6), torch.randn(3, 4, 5, 6)
    authors = (torch.nn.functional.normalize(a.flatten(1), dim=1)
               - torch.nn.functional.normalize(b.flatten(1), dim=1)).abs().mean()
    assert torch.equal(factor_distance(a, b), authors)
    assert torch.equal(IEInheritanceLoss()(a, b), authors)
    assert torch.equal(IEExplorationLoss()(a, b), -authors)


@pytest.mark.parametrize('p', [1, 2])
def test_rms_distance_and_its_gradient_do_not_depend_on_the_map_size(p):
    """A map tiled k x k times is the same content at a larger size: the 'rms' distance and the gradient of a
    conv weight shared by all positions stay the same, where the 'l2' ones both shrink by k (the square root of
    the number of elements)."""
    torch.manual_seed(0)
    x, t = torch.randn(2, 3, 4, 4), torch.randn(2, 5, 4, 4)
    conv = torch.nn.Conv2d(3, 5, 1)

    def measure(k, normalize):
        conv.zero_grad()
        value = factor_distance(conv(x.repeat(1, 1, k, k)), t.repeat(1, 1, k, k), p, normalize)
        value.backward()
        return value.item(), conv.weight.grad.norm().item()

    (v1, g1), (v4, g4) = measure(1, 'rms'), measure(4, 'rms')
    assert v4 == pytest.approx(v1, rel=1e-4) and g4 == pytest.approx(g1, rel=1e-4)
    (l1, h1), (l4, h4) = measure(1, 'l2'), measure(4, 'l2')
    assert l4 == pytest.approx(l1 / 4, rel=1e-4) and h4 == pytest.approx(h1 / 4, rel=1e-3)


def test_at_rms_form_is_hw_times_the_papers():
    torch.manual_seed(0)
    s, t = torch.randn(2, 3, 5, 7), torch.randn(2, 4, 5, 7)
    paper, rms = ATLoss()(s, t), ATLoss(normalize='rms')(s, t)
    assert rms.item() == pytest.approx(35 * paper.item(), rel=1e-5)
    assert IEAttentionLoss(explore=True, normalize='rms')(s, t).item() == pytest.approx(-rms.item(), rel=1e-6)
    # tiled maps: the same rms loss at any size
    assert ATLoss(normalize='rms')(s.repeat(1, 1, 3, 3), t.repeat(1, 1, 3, 3)).item() == pytest.approx(
        rms.item(), rel=1e-4)


def test_ft_loss_uses_its_normalisation():
    torch.manual_seed(0)
    loss = FTLoss(student_channels=4, teacher_channels=6, factor_channels=3, normalize='rms')
    s, t = torch.randn(2, 4, 5, 5), torch.randn(2, 6, 5, 5)
    with torch.no_grad():
        expected = factor_distance(loss.translator(s), loss.paraphraser.encode(t), normalize='rms')
        assert loss(s, t).item() == pytest.approx(expected.item(), rel=1e-6)


@pytest.mark.parametrize('cls', [FTLoss, IEInheritanceLoss, IEExplorationLoss, ATLoss, IEAttentionLoss])
def test_bad_normalize_is_rejected_with_the_key(cls):
    kwargs = dict(student_channels=2, teacher_channels=2, factor_channels=2) if cls is FTLoss else {}
    with pytest.raises(ValueError, match=r"`normalize` of mmiekd\.%s must be one of \['l2', 'rms'\]" % cls.__name__):
        cls(normalize='location', **kwargs)
