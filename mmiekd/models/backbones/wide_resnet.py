"""Wide ResNet WRN-d-k (Zagoruyko & Komodakis 2016) for 32x32 inputs, as in the CRD / RepDistiller zoo.

Pre-activation basic blocks; a 16-channel 3x3 stem conv; stages of ``16k`` / ``32k`` / ``64k`` channels with
``n = (d - 4) / 6`` blocks each and strides 1 / 2 / 2; a final BN + ReLU (folded into ``layer3`` here so
that ``layer3`` yields the final, pre-pooling feature).
"""
import copy
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmcv.cnn import build_norm_layer

from mmiekd.registry import MODELS
from .base_cifar import BaseCIFARBackbone


class WideBasicBlock(nn.Module):
    """Pre-activation basic block of WRN.

    ``out = conv2(dropout(relu(bn2(conv1(a))))) + shortcut`` with ``a = relu(bn1(x))``. When the shape is
    kept the shortcut is ``x`` itself; otherwise it is a strided 1x1 conv applied to ``a``.

    Args:
        in_channels (int): input channels ``C_in``.
        out_channels (int): output channels ``C_out``.
        stride (int): stride of the first conv (and of the projection shortcut).
        drop_rate (float): dropout probability between the two convs. Default: 0.
        norm_cfg (dict): normalization layer config. Default: ``dict(type='BN')``.

    Shape:
        - Input: ``(N, C_in, H, W)``
        - Output: ``(N, C_out, H / stride, W / stride)`` (no activation applied)
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int, drop_rate: float = 0.0,
                 norm_cfg: Optional[dict] = None) -> None:
        super().__init__()
        norm_cfg = norm_cfg if norm_cfg is not None else dict(type='BN')
        self.bn1 = build_norm_layer(norm_cfg, in_channels)[1]
        self.relu1 = nn.ReLU(inplace=True)
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)
        self.bn2 = build_norm_layer(norm_cfg, out_channels)[1]
        self.relu2 = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, stride=1, padding=1, bias=False)
        self.drop_rate = drop_rate
        self.dropout = nn.Dropout(p=drop_rate) if drop_rate > 0 else nn.Identity()
        self.equal_in_out = in_channels == out_channels and stride == 1
        self.shortcut: Optional[nn.Module] = None if self.equal_in_out else nn.Conv2d(
            in_channels, out_channels, 1, stride=stride, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # Not in place: ``x`` is still needed as the identity branch.
        act = torch.relu(self.bn1(x))
        out = self.relu2(self.bn2(self.conv1(act)))
        out = self.conv2(self.dropout(out))
        identity = x if self.shortcut is None else self.shortcut(act)
        return out + identity


@MODELS.register_module()
class WideResNet(BaseCIFARBackbone):
    """WRN-d-k for 32x32 inputs.

    Layout: stem ``conv1`` (3x3, 16 channels), then ``layer1`` / ``layer2`` / ``layer3`` with strides
    1 / 2 / 2 and ``16k`` / ``32k`` / ``64k`` channels, ``n = (depth - 4) / 6`` pre-activation blocks each.
    ``layer3`` ends with the network's final BN + ReLU (``layer3.norm`` / ``layer3.relu``).

    Common archs: ``wrn_16_1``, ``wrn_16_2``, ``wrn_40_1``, ``wrn_40_2``, ``wrn_28_10``.

    Args:
        depth (int): total depth ``d``, must be ``6n + 4``. Default: 40.
        widen_factor (int): width multiplier ``k``. Default: 2.
        drop_rate (float): dropout probability inside each block. Default: 0.
        arch (str, optional): a name from ``arch_settings``; when given it sets ``depth`` and
            ``widen_factor`` (the two arguments are then ignored). Default: None.
        out_indices (int | Sequence[int]): stages whose outputs ``forward`` returns (0-based; negative
            counts from the end). Default: ``(2, )``, the last stage.
        norm_cfg (dict): normalization layer config, built with ``mmcv.cnn.build_norm_layer``.
            Default: ``dict(type='BN')``.
        init_cfg (dict | list[dict], optional): MMEngine init config applied by ``init_weights()``.

    Shape (input ``(N, 3, 32, 32)``):
        - ``layer1``: ``(N, 16k, 32, 32)`` (pre-activation residual sum)
        - ``layer2``: ``(N, 32k, 16, 16)`` (pre-activation residual sum)
        - ``layer3``: ``(N, 64k, 8, 8)`` (after the final BN + ReLU, before pooling)

    Raises:
        KeyError: ``arch`` is an unknown name.
        ValueError: ``depth`` is not of the form ``6n + 4``.
    """

    arch_settings: Dict[str, Tuple[int, int]] = {
        'wrn_16_1': (16, 1),
        'wrn_16_2': (16, 2),
        'wrn_16_4': (16, 4),
        'wrn_16_8': (16, 8),
        'wrn_28_10': (28, 10),
        'wrn_40_1': (40, 1),
        'wrn_40_2': (40, 2),
        'wrn_40_4': (40, 4),
    }
    num_stages = 3

    def __init__(self,
                 depth: int = 40,
                 widen_factor: int = 2,
                 drop_rate: float = 0.0,
                 arch: Optional[str] = None,
                 out_indices: Union[int, Sequence[int]] = (2, ),
                 norm_cfg: Optional[dict] = None,
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if arch is not None:
            if arch not in self.arch_settings:
                raise KeyError(f'Unknown WideResNet arch {arch!r}; valid archs are: '
                               f'{", ".join(self.arch_settings)}')
            depth, widen_factor = self.arch_settings[arch]
        if not isinstance(depth, int) or depth < 10 or (depth - 4) % 6 != 0:
            raise ValueError(f'WideResNet depth must be 6n + 4 with n >= 1 (10, 16, 22, 28, 40, ...), '
                             f'got depth={depth!r}')
        if not isinstance(widen_factor, int) or widen_factor < 1:
            raise ValueError(f'WideResNet widen_factor must be a positive int, got {widen_factor!r}')

        self.arch = arch
        self.depth = depth
        self.widen_factor = widen_factor
        self.drop_rate = drop_rate
        self.num_blocks = (depth - 4) // 6
        self.norm_cfg = copy.deepcopy(norm_cfg) if norm_cfg is not None else dict(type='BN')
        self.stem_channels = 16
        stage_channels = [16 * widen_factor, 32 * widen_factor, 64 * widen_factor]

        self.conv1 = nn.Conv2d(3, self.stem_channels, 3, padding=1, bias=False)
        in_channels = self.stem_channels
        for i, channels in enumerate(stage_channels):
            stride = 1 if i == 0 else 2
            stage = nn.Sequential()
            for j in range(self.num_blocks):
                stage.add_module(
                    str(j),
                    WideBasicBlock(in_channels, channels, stride=stride if j == 0 else 1,
                                   drop_rate=drop_rate, norm_cfg=self.norm_cfg))
                in_channels = channels
            if i == self.num_stages - 1:
                stage.add_module('norm', build_norm_layer(self.norm_cfg, channels)[1])
                stage.add_module('relu', nn.ReLU(inplace=True))
            self.add_module(f'layer{i + 1}', stage)
        self.out_channels = stage_channels
        self._finish_init(out_indices)

    def forward_stem(self, x: torch.Tensor) -> torch.Tensor:
        """``(N, 3, H, W)`` -> ``(N, 16, H, W)`` (a bare conv: the blocks pre-activate)."""
        return self.conv1(x)
