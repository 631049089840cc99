"""Gives the teacher its own input normalisation without preprocessing a batch twice.

The distiller's data preprocessor is the student's (its batch augmentations, padding and normalisation run
once). A teacher trained with other ``mean``/``std`` or channel order gets the same batch re-normalised:
``x_t = flip_t(flip_s(x_s * std_s + mean_s)) - mean_t) / std_t`` — a per-channel affine map (and a channel
flip when the orders differ), so geometry and augmentation stay identical for both networks.
Padded areas (0 in student space) map to the student's mean colour; the teacher sees that instead of 0.
"""
from typing import Optional, Tuple

import torch
from torch import nn


def _normalisation(preprocessor: nn.Module) -> Tuple[Optional[torch.Tensor], Optional[torch.Tensor], bool]:
    """(mean, std, flips_channels) of an mmengine/mmdet/mmpretrain image data preprocessor."""
    flips = bool(getattr(preprocessor, '_channel_conversion', getattr(preprocessor, 'to_rgb', False)))
    if getattr(preprocessor, '_enable_normalize', False):
        return preprocessor.mean.detach().flatten().float(), preprocessor.std.detach().flatten().float(), flips
    return None, None, flips


class TeacherInputAdapter(nn.Module):
    """Maps student-normalised inputs to teacher-normalised ones.

    Shapes:
        (N, C, H, W) -> (N, C, H, W)
    """

    def __init__(self, student_pre: nn.Module, teacher_pre: nn.Module):
        super().__init__()
        mean_s, std_s, flip_s = _normalisation(student_pre)
        mean_t, std_t, flip_t = _normalisation(teacher_pre)
        channels = next((m.numel() for m in (mean_s, mean_t) if m is not None), 3)
        one, zero = torch.ones(channels), torch.zeros(channels)
        mean_s = zero if mean_s is None else mean_s
        std_s = one if std_s is None else std_s
        mean_t = zero if mean_t is None else mean_t
        std_t = one if std_t is None else std_t
        self.flip = flip_s != flip_t
        self.identity = not self.flip and torch.equal(mean_s, mean_t) and torch.equal(std_s, std_t)
        # raw (in the student's channel order) = x_s * std_s + mean_s
        self.register_buffer('std_s', std_s.view(1, -1, 1, 1), persistent=False)
        self.register_buffer('mean_s', mean_s.view(1, -1, 1, 1), persistent=False)
        self.register_buffer('std_t', std_t.view(1, -1, 1, 1), persistent=False)
        self.register_buffer('mean_t', mean_t.view(1, -1, 1, 1), persistent=False)

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        if self.identity or not isinstance(inputs, torch.Tensor) or inputs.dim() != 4:
            return inputs
        raw = inputs * self.std_s + self.mean_s
        if self.flip and raw.shape[1] == 3:
            raw = raw.flip(1)
        return (raw - self.mean_t) / self.std_t
