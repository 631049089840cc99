"""1x1 convolution (+ norm) that maps student feature channels to the teacher's."""
from typing import Optional

import torch
from mmcv.cnn import build_norm_layer
from mmengine.model import BaseModule
from torch import nn

from mmiekd.registry import MODELS


@MODELS.register_module()
class ConvConnector(BaseModule):
    """Channel connector for feature maps: ``conv1x1 -> norm``.

    Args:
        in_channels (int): Student channels C_s.
        out_channels (int): Teacher channels C_t.
        norm_cfg (dict, optional): Norm layer after the conv; ``None`` for none. Defaults to BN.
        init_cfg (dict, optional): MMEngine init config.

    Shapes:
        input (N, C_s, H, W) -> output (N, C_t, H, W)
    """

    def __init__(self, in_channels: int, out_channels: int,
                 norm_cfg: Optional[dict] = dict(type='BN'), init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.conv = nn.Conv2d(in_channels, out_channels, 1, bias=norm_cfg is None)
        self.norm = build_norm_layer(norm_cfg, out_channels)[1] if norm_cfg else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 4 or x.shape[1] != self.in_channels:
            raise ValueError(f'ConvConnector expects (N, {self.in_channels}, H, W) inputs, got '
                             f'{tuple(x.shape)}: check the connector\'s `in_channels`')
        return self.norm(self.conv(x))
