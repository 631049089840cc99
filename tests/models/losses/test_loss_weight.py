"""Every mmiekd loss rejects a bad `loss_weight` at build time, with one message naming the loss and the key."""
import re

import numpy as np
import pytest

from mmiekd.models import losses
from mmiekd.models.losses import BaseDistillLoss
from mmiekd.registry import MODELS

# The other arguments each loss needs; a new loss without an entry here fails the coverage test below.
REQUIRED = dict(FTLoss=dict(student_channels=4, teacher_channels=6, factor_channels=3))
LOSSES = sorted(name for name in losses.__all__
                if isinstance(getattr(losses, name), type) and issubclass(getattr(losses, name), BaseDistillLoss)
                and getattr(losses, name) is not BaseDistillLoss)
BAD = [(-1.0, ValueError, '-1.0'), (-1, ValueError, '-1'), (float('nan'), ValueError, 'nan'),
       (float('inf'), ValueError, 'inf'), (float('-inf'), ValueError, '-inf'), ('1', TypeError, r"'1' \(str\)"),
       (True, TypeError, r'True \(bool\)'), (None, TypeError, r'None \(NoneType\)')]


def test_every_loss_is_covered():
    assert set(LOSSES) == {'ATLoss', 'FeatureMSELoss', 'FTLoss', 'IEAttentionLoss', 'IEExplorationLoss',
                           'IEInheritanceLoss', 'KDLoss'}


@pytest.mark.parametrize('name', LOSSES)
@pytest.mark.parametrize('weight, error, shown', BAD)
def test_bad_loss_weight_is_rejected_at_build(name, weight, error, shown):
    message = rf'^`loss_weight` of mmiekd\.{name} must be a finite number >= 0, got {shown}$'
    with pytest.raises(error, match=message):
        getattr(losses, name)(loss_weight=weight, **REQUIRED.get(name, {}))
    # Built from a config, as the distillers do: the same message, after the registry's prefix.
    with pytest.raises(error, match=message[1:]):
        MODELS.build(dict(type=f'mmiekd.{name}', loss_weight=weight, **REQUIRED.get(name, {})))


@pytest.mark.parametrize('name', LOSSES)
def test_good_loss_weights_are_kept_and_later_assignments_are_checked(name):
    for weight in (0, 0.0, 2, 1.5, np.float32(0.25), np.int64(3)):
        loss = getattr(losses, name)(loss_weight=weight, **REQUIRED.get(name, {}))
        assert type(loss.loss_weight) is float and loss.loss_weight == float(weight)
    loss.loss_weight = 0.5  # e.g. a weight schedule
    assert loss.loss_weight == 0.5
    with pytest.raises(ValueError, match=re.escape(f'`loss_weight` of mmiekd.{name} must be a finite number >= 0')):
        loss.loss_weight = -0.5
    assert loss.loss_weight == 0.5 and 'loss_weight' not in loss.state_dict()
