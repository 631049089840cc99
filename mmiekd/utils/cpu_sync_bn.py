"""Synchronised batch norm for CPU (gloo) distributed jobs.

PyTorch's ``nn.SyncBatchNorm`` only runs on GPUs ("SyncBatchNorm expected input tensor to be on GPU"), and
DDP refuses it in a CPU module. :class:`CPUSyncBatchNorm` is a batch-norm layer of its own (the same
parameters, buffers and state-dict keys) that normalises a CPU input in training mode with the batch
statistics of all ranks: per-channel sums, sums of squares and counts are all-reduced with the
differentiable ``torch.distributed.nn.functional.all_reduce`` (so gradients are synchronised too), and the
running statistics are updated as ``nn.BatchNorm`` does. It is not an ``nn.SyncBatchNorm`` subclass, so DDP
accepts it on CPU; it is a ``_BatchNorm``, so ``norm_eval``, frozen stages and ``norm_decay_mult`` treat it
as every other BN.

:func:`convert_cpu_sync_batchnorm` swaps a model's BN layers for it; :class:`mmiekd.DistillRunner` does so
for ``sync_bn='torch'`` (and for ``norm_cfg=dict(type='SyncBN')`` layers) when a distributed job runs
without a GPU. Nothing in PyTorch is changed.
"""
import torch
import torch.distributed as dist
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm


def _world(group) -> int:
    return dist.get_world_size(group) if dist.is_available() and dist.is_initialized() else 1


def cpu_sync_batch_norm(bn: _BatchNorm, x: torch.Tensor) -> torch.Tensor:
    """Batch norm of ``x`` (N, C, ...) over the batches of every rank of ``bn.process_group``."""
    from torch.distributed.nn.functional import all_reduce
    channels = x.size(1)
    dims = [0] + list(range(2, x.dim()))
    count = x.new_full((1, ), x.numel() // channels)
    stats = all_reduce(torch.cat([x.sum(dims), (x * x).sum(dims), count]),
                       group=getattr(bn, 'process_group', None) or dist.group.WORLD)
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


class CPUSyncBatchNorm(_BatchNorm):
    """Batch norm synchronised over the ranks of ``process_group`` for CPU tensors.

    Args:
        num_features (int): C of an (N, C, ...) input.
        eps, momentum, affine, track_running_stats: As in ``nn.BatchNorm2d``.
        process_group: The group to synchronise over (default: the world).
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1, affine: bool = True,
                 track_running_stats: bool = True, process_group=None):
        super().__init__(num_features, eps, momentum, affine, track_running_stats)
        self.process_group = process_group

    def _check_input_dim(self, x: torch.Tensor) -> None:
        if x.dim() < 2:
            raise ValueError(f'expected at least 2D input (got {x.dim()}D input)')

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (N, C, ...) -> the same shape."""
        if self.training and _world(self.process_group) > 1:
            return cpu_sync_batch_norm(self, x)
        return super().forward(x)


def convert_cpu_sync_batchnorm(module: nn.Module, process_group=None, only_sync: bool = False) -> nn.Module:
    """Returns ``module`` with its BN layers replaced by :class:`CPUSyncBatchNorm` layers holding the same
    parameters, buffers, ``requires_grad`` and mode.

    Args:
        module (nn.Module): The model (changed in place; the returned module is the new root if the root
            itself was a BN layer).
        process_group: The group to synchronise over (default: the world).
        only_sync (bool): Convert only ``nn.SyncBatchNorm`` layers (those a config built with
            ``norm_cfg=dict(type='SyncBN')``); by default every ``nn.BatchNormXd`` too (``sync_bn='torch'``).
    """
    wanted = nn.SyncBatchNorm if only_sync else _BatchNorm
    if isinstance(module, wanted) and not isinstance(module, CPUSyncBatchNorm):
        out = CPUSyncBatchNorm(module.num_features, module.eps, module.momentum, module.affine,
                               module.track_running_stats, process_group)
        if module.affine:
            out.weight, out.bias = module.weight, module.bias
        out.running_mean = module.running_mean
        out.running_var = module.running_var
        out.num_batches_tracked = module.num_batches_tracked
        out.training = module.training
        if hasattr(module, 'qconfig'):
            out.qconfig = module.qconfig
        return out
    for name, child in module.named_children():
        new = convert_cpu_sync_batchnorm(child, process_group, only_sync)
        if new is not child:
            setattr(module, name, new)
    return module
