"""mmcv's NMS and RoIAlign accept bf16/fp16 inputs their kernels lack (CPU: both; CUDA: bf16, and fp16 NMS)
inside mmiekd's autocast regions (--amp, a reduced-precision teacher), and are mmcv's own outside them."""
import importlib

import pytest
import torch
from mmcv.ops import RoIAlign, batched_nms

from mmiekd.utils import mmcv_half_ops
from mmiekd.utils.mmcv_half_ops import _TARGETS, _fp32_for_half

# `mmcv.ops.nms` as an attribute is the function: take the modules.
nms_module = importlib.import_module('mmcv.ops.nms')
roi_align_module = importlib.import_module('mmcv.ops.roi_align')


@pytest.fixture(autouse=True)
def half_ops():
    originals = nms_module.nms, roi_align_module.roi_align
    with mmcv_half_ops(), mmcv_half_ops():  # re-entrant
        yield
    assert (nms_module.nms, roi_align_module.roi_align) == originals, 'restored on leaving'


def test_outside_the_scope_mmcv_is_as_shipped():
    nms, roi_align = nms_module.nms, roi_align_module.roi_align
    assert nms.__wrapped__ is not None and roi_align.__wrapped__ is not None  # inside the fixture's scope
    with mmcv_half_ops():
        assert nms_module.nms is nms
    assert nms_module.nms is nms, 'an inner exit does not restore while an outer scope is open'


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


def test_only_precisions_the_kernel_lacks_on_that_device_go_through_fp32():
    seen = []

    def op(x, scale):
        seen.append(x.dtype)
        return x * scale, torch.ones(1, dtype=torch.long)

    # As RoIAlign on CUDA: the kernel takes fp16 there, not bf16 (here on CPU with the table's device name).
    wrapped = _fp32_for_half(op, {'cpu': (torch.float16, )})
    out, index = wrapped(torch.ones(2, dtype=torch.float16), 3.0)
    assert seen == [torch.float16] and out.dtype == torch.float16  # taken natively, untouched
    out, index = wrapped(torch.full((2, ), 1.5, dtype=torch.bfloat16), 2.0)
    assert seen[-1] == torch.float32, 'a bf16 input the kernel lacks runs in fp32'
    assert out.dtype == torch.bfloat16 and out.tolist() == [3.0, 3.0], 'and comes back in the caller precision'
    assert index.dtype == torch.long, 'integer results are left alone'
    # The shipped table: only CUDA RoIAlign has a half kernel (fp16); NMS is fp32-only on every device.
    assert {name: native for _, name, native in _TARGETS} == {'nms': {}, 'roi_align': {'cuda': (torch.float16, )}}
