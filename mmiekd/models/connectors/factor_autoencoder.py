"""Factor encoders and the teacher's auto-encoder ("paraphraser") of Factor Transfer and IE-KD."""
import torch
from mmengine.model import BaseModule
from torch import nn

from mmiekd.registry import MODELS


def _conv_bn_lrelu(cin: int, cout: int) -> list:
    return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout),
            nn.LeakyReLU(0.1, inplace=True)]


def _three_conv_stack(cin: int, cmid: int, cout: int) -> nn.Sequential:
    """LeakyReLU, then three conv3x3-BN-LeakyReLU: cin -> cmid -> cout -> cout.

    The leading LeakyReLU is the authors' choice: the feature it receives is taken before the backbone's
    last ReLU in their code, and applying it again to a post-ReLU map is harmless.
    """
    return nn.Sequential(nn.LeakyReLU(0.1), *_conv_bn_lrelu(cin, cmid), *_conv_bn_lrelu(cmid, cout),
                         *_conv_bn_lrelu(cout, cout))


@MODELS.register_module()
class FactorEncoder(BaseModule):
    """Maps a feature map to factor space (FT's "translator", IE-KD's student encoders).

    Args:
        in_channels (int): Channels C of the input feature.
        factor_channels (int): Channels F of the factor.

    Shapes:
        input (N, C, H, W) -> factor (N, F, H, W)
    """

    def __init__(self, in_channels: int, factor_channels: int, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.in_channels = in_channels
        self.factor_channels = factor_channels
        self.layers = _three_conv_stack(in_channels, in_channels, factor_channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x)


@MODELS.register_module()
class FactorAutoEncoder(BaseModule):
    """The teacher's auto-encoder (FT's "paraphraser"); its encoder output is the teacher's factor.

    Trained alone on the frozen teacher's features with :meth:`reconstruction_loss` (mean absolute error),
    before it serves as a fixed target.

    Args:
        in_channels (int): Channels C of the teacher feature.
        factor_channels (int): Channels F of the factor.

    Shapes:
        encode: (N, C, H, W) -> (N, F, H, W); decode: (N, F, H, W) -> (N, C, H, W)
    """

    def __init__(self, in_channels: int, factor_channels: int, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.in_channels = in_channels
        self.factor_channels = factor_channels
        self.encoder = _three_conv_stack(in_channels, in_channels, factor_channels)
        self.decoder = _three_conv_stack(factor_channels, factor_channels, in_channels)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.encoder(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Reconstructs ``x``: (N, C, H, W) -> (N, C, H, W)."""
        return self.decoder(self.encoder(x))

    def reconstruction_loss(self, x: torch.Tensor) -> torch.Tensor:
        """Mean absolute reconstruction error of ``x`` (a scalar)."""
        return (self(x) - x).abs().mean()
