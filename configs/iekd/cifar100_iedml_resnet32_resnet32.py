# IE-DML on CIFAR-100: two ResNet-32, the authors' 160-epoch schedule, one SGD optimizer per network.
_base_ = [
    '../_base_/distillers/iedml_cifar100_resnet32_resnet32.py',
    'mmpretrain::_base_/datasets/cifar100_bs16.py',
    '../_base_/schedules/cifar_160e_bs128.py',
    'mmpretrain::_base_/default_runtime.py',
]
_optim = dict(type='OptimWrapper',
              optimizer=dict(type='SGD', lr=0.1, momentum=0.9, nesterov=True, weight_decay=5e-4))
optim_wrapper = dict(_delete_=True, constructor='mmiekd.BranchOptimWrapperConstructor', net1=_optim, net2=_optim)
train_dataloader = dict(batch_size=16)
