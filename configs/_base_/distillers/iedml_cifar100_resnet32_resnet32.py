# IE-DML on CIFAR: two ResNet-32 trained together from scratch (deep mutual learning), each inheriting from
# and exploring against the other's factors (layer3, 64 -> 32 channels), plus DML's mutual KL term. Each
# network has its own optimizer; both are evaluated (net1 as the model, net2 by PeerValHook).
_net = dict(cfg_path='mmiekd::_base_/models/cifar100_resnet20.py', backbone=dict(arch='resnet32'))
model = dict(
    type='mmiekd.IEDMLDistiller',
    net1=_net,
    net2=_net,
    ie=dict(feature='backbone.layer3', channels=64, factor_channels=32,
            inheritance=dict(type='mmiekd.IEInheritanceLoss', loss_weight=1.0),
            exploration=dict(type='mmiekd.IEExplorationLoss', form='norm', loss_weight=1.0)),
    dml=dict(logits='head.fc', tau=1.0, loss_weight=1.0))
custom_hooks = [dict(type='mmiekd.PeerValHook', branch='net2')]
# Each network is wrapped for gradient reduction on its own (two optimizers).
model_wrapper_cfg = dict(type='MMSeparateDistributedDataParallel', broadcast_buffers=False,
                         find_unused_parameters=False)
# mmiekd's runner: crash-safe checkpoints, safe loading, CPU SyncBN (see mmiekd.DistillRunner).
runner_type = 'mmiekd.DistillRunner'
