"""mmcv's fp32-only CPU NMS and RoIAlign accept bf16/fp16 inputs (CPU --amp, a bf16 teacher)."""
import pytest
import torch
from mmcv.ops import RoIAlign, batched_nms

import mmiekd  # noqa: F401  (installs the wrappers)


@pytest.mark.parametrize('dtype', [torch.bfloat16, torch.float16])
def test_batched_nms_on_half_cpu_inputs_matches_fp32(dtype):
    g = torch.Generator().manual_seed(0)
    xy = torch.rand(50, 2, generator=g) * 50
    boxes = torch.cat([xy, xy + 5 + torch.rand(50, 2, generator=g) * 20], 1)
    scores, labels = torch.rand(50, generator=g), torch.randint(0, 3, (50, ), generator=g)
    cfg = dict(type='nms', iou_threshold=0.5)
    dets_32, keep_32 = batched_nms(boxes, scores, labels, cfg)
    dets_16, keep_16 = batched_nms(boxes.to(dtype), scores.to(dtype), labels, cfg)
    assert dets_16.dtype == dtype
    # Half precision may flip a near-tie; otherwise the same boxes are kept, with their (rounded) coordinates.
    assert len(set(keep_16.tolist()) ^ set(keep_32.tolist())) <= 2
    assert torch.allclose(dets_16[:, :4].float(), boxes[keep_16], rtol=0.01, atol=0.1)


def test_roi_align_on_bf16_cpu_features_returns_bf16_close_to_fp32():
    feats = torch.randn(2, 4, 16, 16, generator=torch.Generator().manual_seed(0))
    rois = torch.tensor([[0, 1., 1., 9., 9.], [1, 2., 3., 14., 12.]])
    layer = RoIAlign(output_size=7, spatial_scale=1.0, sampling_ratio=0)
    out_32 = layer(feats, rois)
    out_16 = layer(feats.bfloat16(), rois.bfloat16())
    assert out_16.dtype == torch.bfloat16 and out_16.shape == (2, 4, 7, 7)
    assert torch.allclose(out_16.float(), out_32, atol=0.05, rtol=0.05)


def test_fp32_inputs_are_untouched():
    feats, rois = torch.randn(1, 2, 8, 8), torch.tensor([[0, 0., 0., 7., 7.]])
    out = RoIAlign(output_size=2, spatial_scale=1.0)(feats, rois)
    assert out.dtype == torch.float32
