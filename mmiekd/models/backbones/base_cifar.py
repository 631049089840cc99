"""Shared plumbing for the CIFAR backbones of the distillation zoo.

Every backbone here is laid out the same way so that distillation code can address its parts by name:

* an optional stem (``forward_stem``), kept out of the stages;
* ``num_stages`` stage modules named ``layer1`` ... ``layerK``, where ``layerK`` maps the output of
  ``layer{K-1}`` (or of the stem, for ``layer1``) to the output of stage ``K``;
* ``out_channels``: the channel count of every stage output, in order;
* ``forward(x)`` returns the tuple of the stage outputs picked by ``out_indices``.
"""
from typing import List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModule


def normalize_out_indices(out_indices: Union[int, Sequence[int]], num_stages: int) -> Tuple[int, ...]:
    """Turn ``out_indices`` into a sorted tuple of non-negative stage indices.

    Args:
        out_indices (int | Sequence[int]): stage indices; negative ones count from the last stage.
        num_stages (int): how many stages the backbone has.

    Returns:
        tuple[int]: the indices, each in ``[0, num_stages)``, sorted and without repeats.

    Raises:
        ValueError: if an index is out of range or none is given.
    """
    if isinstance(out_indices, int):
        out_indices = (out_indices, )
    out_indices = tuple(out_indices)
    if not out_indices:
        raise ValueError('out_indices must name at least one stage')
    normalized = []
    for index in out_indices:
        if not -num_stages <= index < num_stages:
            raise ValueError(f'out_indices entry {index} is out of range for a backbone with '
                             f'{num_stages} stages (valid: {-num_stages}..{num_stages - 1})')
        normalized.append(index % num_stages)
    return tuple(sorted(set(normalized)))


def init_cifar_weights(module: nn.Module) -> None:
    """The zoo's default initialization, applied in place to every sub-module.

    Convolutions get Kaiming-normal weights (``mode='fan_out'``, ReLU gain) and zero biases; normalization
    layers get weight 1 and bias 0.

    Args:
        module (nn.Module): the module whose sub-modules are initialized.
    """
    for m in module.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode='fan_out', nonlinearity='relu')
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, (nn.modules.batchnorm._BatchNorm, nn.GroupNorm, nn.LayerNorm)):
            if getattr(m, 'weight', None) is not None:
                nn.init.ones_(m.weight)
            if getattr(m, 'bias', None) is not None:
                nn.init.zeros_(m.bias)


class BaseCIFARBackbone(BaseModule):
    """Base class: runs the stem, then ``layer1`` ... ``layer{num_stages}``, collecting selected outputs.

    Subclasses build their stem and stages, set ``self.out_channels``, then call
    ``self._finish_init(out_indices)``.

    Args:
        init_cfg (dict | list[dict], optional): MMEngine initialization config. The default
            initialization (see :func:`init_cifar_weights`) is applied at construction; an ``init_cfg``
            (e.g. ``Pretrained``) is applied on top of it by ``init_weights()``.
    """

    num_stages: int = 0

    def __init__(self, init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.out_channels: List[int] = []
        self.out_indices: Tuple[int, ...] = ()

    @property
    def stage_names(self) -> List[str]:
        """list[str]: attribute names of the stages, ``['layer1', ..., 'layerK']``."""
        return [f'layer{i + 1}' for i in range(self.num_stages)]

    def _finish_init(self, out_indices: Union[int, Sequence[int]]) -> None:
        self.out_indices = normalize_out_indices(out_indices, self.num_stages)
        assert len(self.out_channels) == self.num_stages
        init_cifar_weights(self)

    def forward_stem(self, x: torch.Tensor) -> torch.Tensor:
        """Stem of the network; identity unless a subclass overrides it."""
        return x

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        """Run the backbone.

        Args:
            x (Tensor): images, shape ``(N, 3, H, W)`` (``H = W = 32`` on CIFAR).

        Returns:
            tuple[Tensor]: the outputs of the stages in ``out_indices``, in stage order; the output of
            stage ``i`` has shape ``(N, out_channels[i], H_i, W_i)``.
        """
        x = self.forward_stem(x)
        outs = []
        # All stages always run, so forward hooks on any ``layerK`` fire whatever ``out_indices`` is.
        for i, name in enumerate(self.stage_names):
            x = getattr(self, name)(x)
            if i in self.out_indices:
                outs.append(x)
        return tuple(outs)
