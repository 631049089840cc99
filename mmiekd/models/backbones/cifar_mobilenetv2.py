"""MobileNetV2 for 32x32 inputs, in the CRD / RepDistiller zoo variant (``mobile_half`` = width 0.5).

Differences from ImageNet MobileNetV2 that the zoo keeps: the stem conv has stride 2 and the stride of the
second bottleneck group is 1 (so 32x32 inputs end at 2x2), every inverted-residual block has a 1x1
expansion conv (even at expansion 1), and the last 1x1 conv has 1280 channels unless the width multiplier
exceeds 1.
"""
import copy
from typing import List, Optional, Sequence, Union

import torch
import torch.nn as nn
from mmcv.cnn import build_norm_layer

from mmiekd.registry import MODELS
from .base_cifar import BaseCIFARBackbone


def _conv_norm_act(in_channels: int, out_channels: int, kernel_size: int, stride: int, norm_cfg: dict,
                   groups: int = 1, act: bool = True) -> List[nn.Module]:
    layers: List[nn.Module] = [
        nn.Conv2d(in_channels, out_channels, kernel_size, stride=stride, padding=kernel_size // 2,
                  groups=groups, bias=False),
        build_norm_layer(norm_cfg, out_channels)[1],
    ]
    if act:
        layers.append(nn.ReLU(inplace=True))
    return layers


class InvertedResidual(nn.Module):
    """MobileNetV2 block: 1x1 expand + BN + ReLU, 3x3 depthwise + BN + ReLU, 1x1 project + BN.

    The input is added back when ``stride == 1`` and ``in_channels == out_channels``.

    Args:
        in_channels (int): input channels ``C_in``.
        out_channels (int): output channels ``C_out``.
        stride (int): stride of the depthwise conv.
        expand_ratio (int): hidden width is ``C_in * expand_ratio``.
        norm_cfg (dict): normalization layer config.

    Shape:
        - Input: ``(N, C_in, H, W)``
        - Output: ``(N, C_out, H / stride, W / stride)``
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int, expand_ratio: int,
                 norm_cfg: dict) -> None:
        super().__init__()
        hidden = in_channels * expand_ratio
        self.use_res_connect = stride == 1 and in_channels == out_channels
        self.conv = nn.Sequential(
            *_conv_norm_act(in_channels, hidden, 1, 1, norm_cfg),
            *_conv_norm_act(hidden, hidden, 3, stride, norm_cfg, groups=hidden),
            *_conv_norm_act(hidden, out_channels, 1, 1, norm_cfg, act=False))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.conv(x)
        return x + out if self.use_res_connect else out


@MODELS.register_module()
class CIFARMobileNetV2(BaseCIFARBackbone):
    """MobileNetV2 for 32x32 inputs with four stages.

    Layout: ``stem`` (3x3 conv, stride 2, ``32w`` channels + BN + ReLU), then seven bottleneck groups
    ``(t, c, n, s)`` = ``(1, 16, 1, 1), (T, 24, 2, 1), (T, 32, 3, 2), (T, 64, 4, 2), (T, 96, 3, 1),
    (T, 160, 3, 2), (T, 320, 1, 1)`` (channels scaled by ``w``) and a final 1x1 conv + BN + ReLU, split
    into stages where the zoo taps its features:

    - ``layer1``: groups 1-2 (``layer1.0``, ``layer1.1``)
    - ``layer2``: group 3
    - ``layer3``: groups 4-5
    - ``layer4``: groups 6-7 and the final 1x1 conv (``layer4.conv``)

    Args:
        widen_factor (float): width multiplier ``w``. Default: 0.5 (the zoo's ``mobile_half``).
        expand_ratio (int): expansion ``T`` of groups 2-7. Default: 6.
        out_indices (int | Sequence[int]): stages whose outputs ``forward`` returns (0-based; negative
            counts from the end). Default: ``(3, )``, the last stage.
        norm_cfg (dict): normalization layer config, built with ``mmcv.cnn.build_norm_layer``.
            Default: ``dict(type='BN')``.
        init_cfg (dict | list[dict], optional): MMEngine init config applied by ``init_weights()``.

    Shape (input ``(N, 3, 32, 32)``, ``w = 0.5``):
        - ``layer1``: ``(N, 12, 16, 16)``
        - ``layer2``: ``(N, 16, 8, 8)``
        - ``layer3``: ``(N, 48, 4, 4)``
        - ``layer4``: ``(N, 1280, 2, 2)`` (after the final ReLU, before pooling)
    """

    num_stages = 4
    # Per stage: the bottleneck groups (t, c, n, s) it holds; ``t=None`` means ``expand_ratio``.
    stage_settings = (
        ((1, 16, 1, 1), (None, 24, 2, 1)),
        ((None, 32, 3, 2), ),
        ((None, 64, 4, 2), (None, 96, 3, 1)),
        ((None, 160, 3, 2), (None, 320, 1, 1)),
    )

    def __init__(self,
                 widen_factor: float = 0.5,
                 expand_ratio: int = 6,
                 out_indices: Union[int, Sequence[int]] = (3, ),
                 norm_cfg: Optional[dict] = None,
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if widen_factor <= 0:
            raise ValueError(f'widen_factor must be positive, got {widen_factor!r}')
        self.widen_factor = widen_factor
        self.expand_ratio = expand_ratio
        self.norm_cfg = copy.deepcopy(norm_cfg) if norm_cfg is not None else dict(type='BN')

        self.stem_channels = int(32 * widen_factor)
        self.stem = nn.Sequential(*_conv_norm_act(3, self.stem_channels, 3, 2, self.norm_cfg))
        self.last_channels = int(1280 * widen_factor) if widen_factor > 1.0 else 1280

        in_channels = self.stem_channels
        out_channels = []
        for i, groups in enumerate(self.stage_settings):
            stage = nn.Sequential()
            for j, (t, c, n, s) in enumerate(groups):
                t = expand_ratio if t is None else t
                channels = int(c * widen_factor)
                blocks = []
                for k in range(n):
                    blocks.append(
                        InvertedResidual(in_channels, channels, stride=s if k == 0 else 1, expand_ratio=t,
                                         norm_cfg=self.norm_cfg))
                    in_channels = channels
                stage.add_module(str(j), nn.Sequential(*blocks))
            if i == self.num_stages - 1:
                last_conv = _conv_norm_act(in_channels, self.last_channels, 1, 1, self.norm_cfg)
                stage.add_module('conv', nn.Sequential(*last_conv))
                in_channels = self.last_channels
            self.add_module(f'layer{i + 1}', stage)
            out_channels.append(in_channels)
        self.out_channels = out_channels
        self._finish_init(out_indices)

    def forward_stem(self, x: torch.Tensor) -> torch.Tensor:
        """``(N, 3, H, W)`` -> ``(N, 32w, H / 2, W / 2)``."""
        return self.stem(x)
