"""CIFAR ResNet (He et al. 2016, Sec. 4.2) in the CRD / RepDistiller zoo variant.

Three stages of basic blocks on 32x32 / 16x16 / 8x8 maps, ``n = (depth - 2) / 6`` blocks per stage, a 3x3
stem conv, and projection (1x1 conv + BN) shortcuts wherever the shape changes. The ``x4`` variants
(``resnet8x4``, ``resnet32x4``) use a 32-channel stem and 64/128/256-channel stages.
"""
import copy
from typing import Dict, List, Optional, Sequence, Union

import torch
import torch.nn as nn
from mmcv.cnn import build_norm_layer

from mmiekd.registry import MODELS
from .base_cifar import BaseCIFARBackbone


class CIFARBasicBlock(nn.Module):
    """Post-activation basic block: ``relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))``.

    Args:
        in_channels (int): input channels ``C_in``.
        out_channels (int): output channels ``C_out``.
        stride (int): stride of the first conv (and of the shortcut). Default: 1.
        norm_cfg (dict): normalization layer config. Default: ``dict(type='BN')``.

    Shape:
        - Input: ``(N, C_in, H, W)``
        - Output: ``(N, C_out, H / stride, W / stride)``
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1,
                 norm_cfg: Optional[dict] = None) -> None:
        super().__init__()
        norm_cfg = norm_cfg if norm_cfg is not None else dict(type='BN')
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)
        self.bn1 = build_norm_layer(norm_cfg, out_channels)[1]
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, stride=1, padding=1, bias=False)
        self.bn2 = build_norm_layer(norm_cfg, out_channels)[1]
        self.relu = nn.ReLU(inplace=True)
        if stride != 1 or in_channels != out_channels:
            self.downsample: Optional[nn.Module] = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                build_norm_layer(norm_cfg, out_channels)[1])
        else:
            self.downsample = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


@MODELS.register_module()
class CIFARResNet(BaseCIFARBackbone):
    """ResNet for 32x32 inputs, as used across the knowledge-distillation literature.

    Layout: stem ``conv1`` (3x3, ``stem_channels``) + ``bn1`` + ``relu``, then ``layer1`` / ``layer2`` /
    ``layer3`` with strides 1 / 2 / 2, each of ``n = (depth - 2) / 6`` basic blocks.

    Archs (``depth``, ``stem_channels``, ``stage_channels``):

    - ``resnet8`` / ``14`` / ``20`` / ``32`` / ``44`` / ``56`` / ``110``: stem 16, stages (16, 32, 64)
    - ``resnet8x4`` / ``resnet32x4``: stem 32, stages (64, 128, 256)

    Args:
        arch (str | dict): a name from ``arch_settings``, or a dict with keys ``depth``,
            ``stem_channels`` and ``stage_channels``. Default: ``'resnet20'``.
        depth (int, optional): overrides the depth of ``arch`` (must be ``6n + 2``), e.g.
            ``CIFARResNet(depth=44)``. Default: None.
        out_indices (int | Sequence[int]): stages whose outputs ``forward`` returns (0-based; negative
            counts from the end). Default: ``(2, )``, the last stage.
        norm_cfg (dict): normalization layer config, built with ``mmcv.cnn.build_norm_layer``
            (e.g. ``dict(type='SyncBN')``). Default: ``dict(type='BN')``.
        init_cfg (dict | list[dict], optional): MMEngine init config applied by ``init_weights()``.

    Shape (``s = stage_channels``, input ``(N, 3, 32, 32)``):
        - ``layer1``: ``(N, s[0], 32, 32)``
        - ``layer2``: ``(N, s[1], 16, 16)``
        - ``layer3``: ``(N, s[2], 8, 8)`` (after the final ReLU, before pooling)

    Raises:
        KeyError: ``arch`` is an unknown name.
        ValueError: ``depth`` is not of the form ``6n + 2``.
    """

    arch_settings: Dict[str, dict] = {
        **{
            f'resnet{d}': dict(depth=d, stem_channels=16, stage_channels=(16, 32, 64))
            for d in (8, 14, 20, 32, 44, 56, 110)
        },
        'resnet8x4': dict(depth=8, stem_channels=32, stage_channels=(64, 128, 256)),
        'resnet32x4': dict(depth=32, stem_channels=32, stage_channels=(64, 128, 256)),
    }
    num_stages = 3

    def __init__(self,
                 arch: Union[str, dict] = 'resnet20',
                 depth: Optional[int] = None,
                 out_indices: Union[int, Sequence[int]] = (2, ),
                 norm_cfg: Optional[dict] = None,
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if isinstance(arch, str):
            if arch not in self.arch_settings:
                raise KeyError(f'Unknown CIFARResNet arch {arch!r}; valid archs are: '
                               f'{", ".join(self.arch_settings)}')
            setting = copy.deepcopy(self.arch_settings[arch])
        elif isinstance(arch, dict):
            missing = {'depth', 'stem_channels', 'stage_channels'} - set(arch)
            if missing:
                raise KeyError(f'CIFARResNet arch dict lacks keys {sorted(missing)}')
            setting = dict(arch)
        else:
            raise TypeError(f'arch must be a str or a dict, got {type(arch).__name__}')
        if depth is not None:
            setting['depth'] = depth
        depth = setting['depth']
        if not isinstance(depth, int) or depth < 8 or (depth - 2) % 6 != 0:
            raise ValueError(f'CIFARResNet depth must be 6n + 2 with n >= 1 (8, 14, 20, 32, 44, 56, 110, '
                             f'...), got depth={depth!r}')
        stage_channels = list(setting['stage_channels'])
        if len(stage_channels) != self.num_stages:
            raise ValueError(f'stage_channels must have {self.num_stages} entries, got {stage_channels}')

        self.arch = arch if isinstance(arch, str) else None
        self.depth = depth
        self.num_blocks = (depth - 2) // 6
        self.stem_channels = setting['stem_channels']
        self.norm_cfg = copy.deepcopy(norm_cfg) if norm_cfg is not None else dict(type='BN')

        self.conv1 = nn.Conv2d(3, self.stem_channels, 3, padding=1, bias=False)
        self.bn1 = build_norm_layer(self.norm_cfg, self.stem_channels)[1]
        self.relu = nn.ReLU(inplace=True)

        in_channels = self.stem_channels
        for i, channels in enumerate(stage_channels):
            stride = 1 if i == 0 else 2
            blocks = []
            for j in range(self.num_blocks):
                blocks.append(
                    CIFARBasicBlock(in_channels, channels, stride=stride if j == 0 else 1,
                                    norm_cfg=self.norm_cfg))
                in_channels = channels
            self.add_module(f'layer{i + 1}', nn.Sequential(*blocks))
        self.out_channels = stage_channels
        self._finish_init(out_indices)

    def forward_stem(self, x: torch.Tensor) -> torch.Tensor:
        """``(N, 3, H, W)`` -> ``(N, stem_channels, H, W)``."""
        return self.relu(self.bn1(self.conv1(x)))
