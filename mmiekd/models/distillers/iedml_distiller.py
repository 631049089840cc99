"""IE-DML: inheritance and exploration between two networks trained together (deep mutual learning).

There is no pre-trained teacher: each network is the other's teacher. Each network's factor comes from an
auto-encoder trained online, by reconstruction of the network's own (detached) feature; the other network
inherits from and explores against that factor with its halves, as in IE-KD, and both learn from each
other's softened predictions (DML's KL term). Each network has its own optimizer (``OptimWrapperDict``
through ``mmiekd.BranchOptimWrapperConstructor``).
"""
from typing import Dict, Optional, Union

import torch
from torch import nn

from mmiekd.registry import MODELS
from mmiekd.utils.model_config import check_config_keys, with_build_scopes
from ..connectors.factor_autoencoder import FactorAutoEncoder, FactorEncoder
from .iekd_distiller import channel_order, inherit_and_explore
from .output_recorder import OutputRecorder, check_module_name
from .single_teacher_distiller import NetworksCore, end_of_build, zero_loss

BRANCHES = ('net1', 'net2')


class _IEHead(nn.Module):
    """The modules one network trains besides itself: its online auto-encoder and its two encoders."""

    def __init__(self, channels: int, factor_channels: int):
        super().__init__()
        self.autoencoder = FactorAutoEncoder(channels, factor_channels)
        self.inheritance_encoder = FactorEncoder(channels // 2, factor_channels)
        self.exploration_encoder = FactorEncoder(channels // 2, factor_channels)


@MODELS.register_module()
class IEDMLDistiller(NetworksCore):
    """Two networks trained mutually with inheritance and exploration, on :class:`NetworksCore` (no frozen
    teacher: each network is the other's), with IE's terms computed as IE-KD's
    (:func:`~mmiekd.models.distillers.iekd_distiller.inherit_and_explore`).

    Args:
        net1 (dict | str): First network (config dict, ``pkg::path`` or local config file). Validation and
            test use it (set :attr:`eval_branch` to ``'net2'``, as ``mmiekd.PeerValHook`` does, for the other).
        net2 (dict | str): Second network.
        ie (dict): ``feature`` (module name in both networks, e.g. ``'backbone.layer3'``), ``channels``
            (even; the same in both), ``factor_channels``, ``inheritance`` / ``exploration`` loss configs,
            ``recon_weight`` (weight of the online auto-encoders' reconstruction loss, default 1), ``split``
            and ``split_seed`` (as in :class:`IEKDDistiller`: ``'natural'`` or ``'random'``), ``pool`` (as in
            :class:`IEKDDistiller`: the auto-encoders and encoders work on the feature average-pooled by this
            factor; default 1, full resolution).
        dml (dict): ``logits`` (module name of the logits, e.g. ``'head.fc'``), ``tau`` and ``loss_weight`` of
            the mutual KL term (DML: tau 1, weight 1). ``None`` for no KL term.
        nonfinite_loss (str): What a NaN or inf mutual term (IE, DML or reconstruction, of either network)
            does: ``'raise'`` (default) stops before either network is updated; ``'skip'`` warns and makes the
            step a no-op for both networks' gradients (as in :class:`SingleTeacherDistiller`).
        data_preprocessor (dict | nn.Module, optional): As in :class:`SingleTeacherDistiller`.
    """

    #: The method family (read by tools such as the speed tool).
    method = 'iedml'

    branch_names = BRANCHES

    def __init__(self, net1: Union[str, dict], net2: Union[str, dict], ie: dict,
                 dml: Optional[dict] = dict(logits='head.fc', tau=1.0, loss_weight=1.0),
                 nonfinite_loss: str = 'raise', data_preprocessor: Optional[Union[dict, nn.Module]] = None,
                 init_cfg: Optional[dict] = None):
        super().__init__(dict(net1=net1, net2=net2), nonfinite_loss=nonfinite_loss,
                         data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        nets = (self.net1, self.net2)
        self.eval_branch = 'net1'
        check_config_keys(ie, 'ie', required=('feature', 'channels', 'factor_channels'),
                          optional=('inheritance', 'exploration', 'recon_weight', 'split', 'split_seed', 'pool'))
        self.pool = ie.get('pool', 1)
        if isinstance(self.pool, bool) or not isinstance(self.pool, int) or self.pool < 1:
            raise ValueError(f'`ie.pool` must be a positive int (1: full resolution), got {self.pool!r}')
        if ie.get('split', 'natural') not in ('natural', 'random'):
            raise ValueError(f'`ie.split` must be "natural" or "random", got {ie["split"]!r}')
        if ie['channels'] % 2:
            raise ValueError(f'`ie.channels` must be even (half inherits, half explores), got {ie["channels"]}')
        self.feature = ie['feature']
        # Persistent: a random split is fixed for the whole run and restored on resume.
        self.register_buffer('split_order', channel_order(ie['channels'], ie.get('split', 'natural'),
                                                          ie.get('split_seed', 0)))
        self.logits = dml.get('logits') if dml else None
        names = [self.feature] + ([self.logits] if self.logits else [])
        self.recorders = {}
        for name, net in zip(BRANCHES, nets):
            for module in names:
                check_module_name(net, module, f'{name} ({"ie.feature" if module == self.feature else "dml.logits"})',
                                  name)
            self.recorders[name] = OutputRecorder(net, names, role=name)
        self.ie_heads = nn.ModuleDict({name: _IEHead(ie['channels'], ie['factor_channels']) for name in BRANCHES})
        self.inheritance_loss = MODELS.build(with_build_scopes(
            ie.get('inheritance', dict(type='mmiekd.IEInheritanceLoss'))))
        self.exploration_loss = MODELS.build(with_build_scopes(
            ie.get('exploration', dict(type='mmiekd.IEExplorationLoss'))))
        self.recon_weight = float(ie.get('recon_weight', 1.0))
        self.dml_loss = MODELS.build(dict(type='mmiekd.KDLoss', tau=dml.get('tau', 1.0),
                                          loss_weight=dml.get('loss_weight', 1.0))) if dml else None
        end_of_build(self)

    def branch_modules(self, name: str) -> nn.ModuleList:
        """What the optimizer of branch ``name`` updates: the network and its IE modules."""
        return nn.ModuleList([getattr(self, name), self.ie_heads[name]])

    def forward(self, inputs: torch.Tensor, data_samples: Optional[list] = None, mode: str = 'tensor'):
        if mode == 'loss':
            raise RuntimeError('IEDMLDistiller trains through train_step (one optimizer per network)')
        return getattr(self, self.eval_branch)(inputs, data_samples, mode)

    def train_step(self, data, optim_wrapper) -> Dict[str, torch.Tensor]:
        """Forward both networks, then update each with its own losses and optimizer."""
        data = self.data_preprocessor(data, True)
        inputs, samples = data['inputs'], data['data_samples']
        task = {}
        for name in BRANCHES:
            with optim_wrapper[name].optim_context(self), self.recorders[name].recording():
                task[name] = getattr(self, name)(inputs, samples, mode='loss')
        mutual = self.mutual_losses_of_step()
        every_term = {k: v for terms in mutual.values() for k, v in terms.items()}
        # Before either network is updated: an error, or (skip) a zero loss for each network's own parameters.
        skipped = self.guard_nonfinite(every_term)
        log_vars = {}
        for name in BRANCHES:
            if skipped is None:
                losses = self.name_task_losses(task[name], name, prefix_all=True)
                losses.update(mutual[name])
            else:
                losses = {f'{name}.loss_skipped_nonfinite': zero_loss(self.branch_modules(name))}
            parsed, branch_log = self.parse_losses(losses)
            optim_wrapper[name].update_params(parsed)
            branch_log[f'{name}.loss_total'] = branch_log.pop('loss')
            log_vars.update(branch_log)
        for recorder in self.recorders.values():
            recorder.clear()
        return log_vars

    def mutual_losses_of_step(self) -> Dict[str, Dict[str, torch.Tensor]]:
        """Each network's terms from the recorded step: its IE terms against the peer's factor, its DML term and
        its online auto-encoder's reconstruction loss, ``{network: {name: loss}}``.

        Each recorded feature is pooled once and each auto-encoder encodes once: the code is both the peer's
        target (detached) and the input of the reconstruction. (The speed tool times this as the method's own
        cost.)
        """
        codes, recon = {}, {}
        features = {name: self._ie_feature(name) for name in BRANCHES}  # pooled once per step
        for name in BRANCHES:
            # fp32 auto-encoder on the (maybe autocast-precision) recorded feature.
            feature = features[name].detach().float()
            autoencoder = self.ie_heads[name].autoencoder
            codes[name] = autoencoder.encode(feature)
            recon[name] = (autoencoder.decoder(codes[name]) - feature).abs().mean()
        mutual = {}
        for name, peer in zip(BRANCHES, reversed(BRANCHES)):
            mutual[name] = self._mutual_losses(name, peer, codes[peer].detach(), features[name])
            mutual[name][f'{name}.loss_recon'] = self.recon_weight * recon[name]
        return mutual

    def _ie_feature(self, name: str) -> torch.Tensor:
        """Branch ``name``'s recorded feature (N, C, H, W), average-pooled by ``ie.pool``."""
        feature = self.recorders[name].get(self.feature)
        if self.pool > 1:
            feature = nn.functional.avg_pool2d(feature, self.pool, ceil_mode=True)
        return feature

    def _mutual_losses(self, name: str, peer: str, peer_code: torch.Tensor,
                       feature: Optional[torch.Tensor] = None) -> Dict[str, torch.Tensor]:
        """Branch ``name``'s IE and DML terms; ``feature``: its pooled IE feature, if already computed."""
        head = self.ie_heads[name]
        feature = self._ie_feature(name) if feature is None else feature
        with torch.autocast(device_type=feature.device.type, enabled=False):
            # The encoders in fp32, as the online auto-encoders (the feature may be of autocast precision).
            inh, exp = inherit_and_explore(feature.float(), peer_code, self.split_order,
                                           (head.inheritance_encoder, head.exploration_encoder),
                                           (self.inheritance_loss, self.exploration_loss),
                                           'ie.channels', f"{name}'s {self.feature}")
            losses = {f'{name}.ie.loss_inh': inh, f'{name}.ie.loss_exp': exp}
            if self.dml_loss is not None:
                own = self.recorders[name].get(self.logits).float()
                other = self.recorders[peer].get(self.logits).detach().float()
                losses[f'{name}.loss_dml'] = self.dml_loss(own, other)
        return losses
