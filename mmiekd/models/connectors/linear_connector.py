"""Linear layer that maps student vectors (logits, embeddings) to the teacher's width."""
import torch
from mmengine.model import BaseModule
from torch import nn

from mmiekd.registry import MODELS


@MODELS.register_module()
class LinearConnector(BaseModule):
    """Width connector for vectors.

    Args:
        in_features (int): Student width D_s.
        out_features (int): Teacher width D_t.
        bias (bool): Whether the layer has a bias.

    Shapes:
        input (N, D_s) -> output (N, D_t); higher-rank inputs are flattened from dim 1 first.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.fc = nn.Linear(in_features, out_features, bias=bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.flatten(1)
        if x.shape[1] != self.fc.in_features:
            raise ValueError(f'LinearConnector expects {self.fc.in_features} input features, got '
                             f'{x.shape[1]}: check the connector\'s `in_features`')
        return self.fc(x)
