"""``sync_bn='torch'`` for CPU (gloo) jobs.

PyTorch's ``SyncBatchNorm`` only runs on GPUs ("SyncBatchNorm expected input tensor to be on GPU"): its
statistics kernels have no CPU implementation. CPU distributed jobs (CI, the multi-node tests, CPU clusters)
would otherwise have to drop ``sync_bn`` from the config. :func:`install_cpu_sync_bn` lets a CPU input in
training mode be normalised with the batch statistics of all ranks: per-channel sums, sums of squares and
counts are all-reduced with the differentiable ``torch.distributed.nn.functional.all_reduce`` (so gradients
are synchronised too), and the running statistics are updated as ``nn.BatchNorm`` does. GPU inputs use
PyTorch's own kernels, unchanged.
"""
import torch
import torch.distributed as dist
from torch import nn

_ORIGINAL_FORWARD = nn.SyncBatchNorm.forward
_ORIGINAL_DDP_CHECK = nn.parallel.DistributedDataParallel._passing_sync_batchnorm_handle


def _world(group) -> int:
    return dist.get_world_size(group) if dist.is_available() and dist.is_initialized() else 1


def cpu_sync_batch_norm(bn: nn.SyncBatchNorm, x: torch.Tensor) -> torch.Tensor:
    """Batch norm of ``x`` (N, C, ...) over the batches of every rank of ``bn.process_group``."""
    from torch.distributed.nn.functional import all_reduce
    channels = x.size(1)
    dims = [0] + list(range(2, x.dim()))
    count = x.new_full((1, ), x.numel() // channels)
    stats = all_reduce(torch.cat([x.sum(dims), (x * x).sum(dims), count]),
                       group=bn.process_group or dist.group.WORLD)
    total = stats[-1]
    mean = stats[:channels] / total
    var = (stats[channels:2 * channels] / total - mean * mean).clamp_min(0)
    if bn.track_running_stats and bn.running_mean is not None:
        with torch.no_grad():
            bn.num_batches_tracked += 1
            momentum = bn.momentum if bn.momentum is not None else 1.0 / float(bn.num_batches_tracked)
            bn.running_mean.mul_(1 - momentum).add_(momentum * mean)
            bn.running_var.mul_(1 - momentum).add_(momentum * var * total / (total - 1).clamp_min(1))
    shape = [1, channels] + [1] * (x.dim() - 2)
    out = (x - mean.view(shape)) * torch.rsqrt(var.view(shape) + bn.eps)
    if bn.affine:
        out = out * bn.weight.view(shape) + bn.bias.view(shape)
    return out


def _forward(self, x: torch.Tensor) -> torch.Tensor:
    if x.device.type == 'cpu' and self.training and _world(self.process_group) > 1:
        return cpu_sync_batch_norm(self, x)
    return _ORIGINAL_FORWARD(self, x)


def _ddp_check(self, module) -> None:
    # DDP refuses SyncBatchNorm in a CPU module only because PyTorch's kernels are GPU-only.
    if self.device_type != 'cpu':
        _ORIGINAL_DDP_CHECK(self, module)


def install_cpu_sync_bn() -> None:
    """Lets ``nn.SyncBatchNorm`` train on CPU tensors across gloo ranks, under DDP (idempotent)."""
    nn.SyncBatchNorm.forward = _forward
    nn.parallel.DistributedDataParallel._passing_sync_batchnorm_handle = _ddp_check
