"""The CPU SyncBatchNorm fallback computes what BatchNorm computes on the whole batch (one gloo rank here;
tests/tools/test_multi_node.py runs it on two)."""
import torch
import torch.distributed as dist
from torch import nn

from mmiekd.utils.cpu_sync_bn import cpu_sync_batch_norm


def test_matches_batch_norm_output_gradients_and_running_statistics(tmp_path):
    store = dist.FileStore(str(tmp_path / 'store'), 1)
    dist.init_process_group('gloo', store=store, rank=0, world_size=1)
    try:
        torch.manual_seed(0)
        bn = nn.BatchNorm2d(3, momentum=0.3)
        sync = nn.SyncBatchNorm(3, momentum=0.3)
        with torch.no_grad():
            for m in (bn, sync):
                m.weight.copy_(torch.tensor([1.0, 2.0, 0.5]))
                m.bias.copy_(torch.tensor([0.0, -1.0, 0.3]))
        x = torch.randn(4, 3, 5, 5) * 3 + 1
        x1, x2 = x.clone().requires_grad_(), x.clone().requires_grad_()
        out_bn, out_sync = bn(x1), cpu_sync_batch_norm(sync, x2)
        assert torch.allclose(out_sync, out_bn, atol=1e-5)
        (out_bn * torch.arange(3.).view(1, 3, 1, 1)).sum().backward()
        (out_sync * torch.arange(3.).view(1, 3, 1, 1)).sum().backward()
        assert torch.allclose(x2.grad, x1.grad, atol=1e-5)
        assert torch.allclose(sync.weight.grad, bn.weight.grad, atol=1e-4)
        assert torch.allclose(sync.running_mean, bn.running_mean, atol=1e-6)
        assert torch.allclose(sync.running_var, bn.running_var, atol=1e-5)
        assert int(sync.num_batches_tracked) == 1
    finally:
        dist.destroy_process_group()
