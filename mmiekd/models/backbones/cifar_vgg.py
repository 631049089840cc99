"""VGG for 32x32 inputs, in the CRD / RepDistiller zoo variant (``vgg8``, ``vgg11`` ... ``vgg19``, with BN).

Five groups of 3x3 convs (conv + BN + ReLU, convs with bias) at 32 / 16 / 8 / 4 / 4 resolution: a 2x2 max
pool precedes groups 2, 3 and 4; group 5 keeps the 4x4 resolution of group 4. The classifier that follows
in the zoo is global average pooling + one linear layer (512 -> classes).
"""
import copy
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch.nn as nn
from mmcv.cnn import build_norm_layer

from mmiekd.registry import MODELS
from .base_cifar import BaseCIFARBackbone


@MODELS.register_module()
class CIFARVGG(BaseCIFARBackbone):
    """VGG with five stages ``layer1`` ... ``layer5`` for 32x32 inputs.

    ``layer1`` is the first conv group (no stem); ``layer2`` ... ``layer4`` each start with a 2x2 max pool;
    ``layer5`` does not pool. Each stage ends with a ReLU.

    Archs (output channels of the convs of each stage):

    - ``vgg8``:  ``[[64], [128], [256], [512], [512]]``
    - ``vgg11``: ``[[64], [128], [256, 256], [512, 512], [512, 512]]``
    - ``vgg13``: ``[[64, 64], [128, 128], [256, 256], [512, 512], [512, 512]]``
    - ``vgg16``: ``[[64, 64], [128, 128], [256] * 3, [512] * 3, [512] * 3]``
    - ``vgg19``: ``[[64, 64], [128, 128], [256] * 4, [512] * 4, [512] * 4]``

    Args:
        arch (str | Sequence[Sequence[int]]): an arch name, or the five per-stage conv-width lists.
            Default: ``'vgg13'``.
        out_indices (int | Sequence[int]): stages whose outputs ``forward`` returns (0-based; negative
            counts from the end). Default: ``(4, )``, the last stage.
        norm_cfg (dict, optional): normalization layer config, built with ``mmcv.cnn.build_norm_layer``;
            ``None`` builds the plain (BN-free) VGG. Default: ``dict(type='BN')``.
        init_cfg (dict | list[dict], optional): MMEngine init config applied by ``init_weights()``.

    Shape (``c_i`` = last width of stage ``i``, input ``(N, 3, 32, 32)``):
        - ``layer1``: ``(N, c_1, 32, 32)``
        - ``layer2``: ``(N, c_2, 16, 16)``
        - ``layer3``: ``(N, c_3, 8, 8)``
        - ``layer4``: ``(N, c_4, 4, 4)``
        - ``layer5``: ``(N, c_5, 4, 4)`` (after the final ReLU, before pooling)

    Raises:
        KeyError: ``arch`` is an unknown name.
    """

    arch_settings: Dict[str, Tuple[Tuple[int, ...], ...]] = {
        'vgg8': ((64, ), (128, ), (256, ), (512, ), (512, )),
        'vgg11': ((64, ), (128, ), (256, 256), (512, 512), (512, 512)),
        'vgg13': ((64, 64), (128, 128), (256, 256), (512, 512), (512, 512)),
        'vgg16': ((64, 64), (128, 128), (256, 256, 256), (512, 512, 512), (512, 512, 512)),
        'vgg19': ((64, 64), (128, 128), (256, ) * 4, (512, ) * 4, (512, ) * 4),
    }
    num_stages = 5
    # Stages that open with a 2x2 max pool (0-based).
    pool_before_stages = (1, 2, 3)

    _default_norm_cfg = dict(type='BN')

    def __init__(self,
                 arch: Union[str, Sequence[Sequence[int]]] = 'vgg13',
                 out_indices: Union[int, Sequence[int]] = (4, ),
                 norm_cfg: Optional[dict] = _default_norm_cfg,
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if isinstance(arch, str):
            if arch not in self.arch_settings:
                raise KeyError(f'Unknown CIFARVGG arch {arch!r}; valid archs are: '
                               f'{", ".join(self.arch_settings)}')
            cfg = self.arch_settings[arch]
        else:
            cfg = tuple(tuple(widths) for widths in arch)
            if len(cfg) != self.num_stages or not all(cfg):
                raise ValueError(f'a custom CIFARVGG arch needs {self.num_stages} non-empty lists of '
                                 f'conv widths, got {arch!r}')
        self.arch = arch if isinstance(arch, str) else None
        self.norm_cfg = copy.deepcopy(norm_cfg)

        in_channels = 3
        for i, widths in enumerate(cfg):
            layers: List[nn.Module] = []
            if i in self.pool_before_stages:
                layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
            for width in widths:
                layers.append(nn.Conv2d(in_channels, width, 3, padding=1, bias=True))
                if self.norm_cfg is not None:
                    layers.append(build_norm_layer(self.norm_cfg, width)[1])
                layers.append(nn.ReLU(inplace=True))
                in_channels = width
            self.add_module(f'layer{i + 1}', nn.Sequential(*layers))
        self.out_channels = [widths[-1] for widths in cfg]
        self._finish_init(out_indices)
