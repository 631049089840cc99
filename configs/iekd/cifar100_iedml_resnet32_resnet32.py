# IE-DML on CIFAR-100: two ResNet-32 trained together from scratch (deep mutual learning), each inheriting
# from and exploring against the other's factors (layer3, 64 -> 32 channels), plus DML's mutual KL term.
# Each network has its own optimizer; both are evaluated (net1 as the model, net2 by PeerValHook).
_base_ = [
    'mmpretrain::_base_/datasets/cifar100_bs16.py',
    '../_base_/schedules/cifar_160e_bs128.py',
    'mmpretrain::_base_/default_runtime.py',
]
_net = dict(cfg_path='mmiekd::_base_/models/cifar100_resnet20.py', backbone=dict(arch='resnet32'))
model = dict(
    type='mmiekd.IEDMLDistiller',
    net1=_net,
    net2=_net,
    ie=dict(feature='backbone.layer3', channels=64, factor_channels=32,
            inheritance=dict(type='mmiekd.IEInheritanceLoss', loss_weight=1.0),
            exploration=dict(type='mmiekd.IEExplorationLoss', form='norm', loss_weight=1.0)),
    dml=dict(logits='head.fc', tau=1.0, loss_weight=1.0))
_optim = dict(type='OptimWrapper',
              optimizer=dict(type='SGD', lr=0.1, momentum=0.9, nesterov=True, weight_decay=5e-4))
optim_wrapper = dict(_delete_=True, constructor='mmiekd.BranchOptimWrapperConstructor', net1=_optim, net2=_optim)
custom_hooks = [dict(type='mmiekd.PeerValHook', branch='net2')]
# Each network is wrapped for gradient reduction on its own (two optimizers).
model_wrapper_cfg = dict(type='MMSeparateDistributedDataParallel', broadcast_buffers=False,
                         find_unused_parameters=False)
train_dataloader = dict(batch_size=16)
