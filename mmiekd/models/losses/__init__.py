from .at_loss import ATLoss, attention_map
from .base_distill_loss import BaseDistillLoss, check_loss_weight
from .feature_mse_loss import FeatureMSELoss
from .ft_loss import FTLoss, factor_distance
from .ie_losses import IEAttentionLoss, IEExplorationLoss, IEInheritanceLoss
from .kd_loss import KDLoss

__all__ = ['BaseDistillLoss', 'check_loss_weight', 'FeatureMSELoss', 'KDLoss', 'ATLoss', 'attention_map',
           'FTLoss', 'factor_distance', 'IEInheritanceLoss', 'IEExplorationLoss', 'IEAttentionLoss']
