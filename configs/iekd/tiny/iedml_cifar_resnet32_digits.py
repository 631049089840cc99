# The IE-DML recipe on the embedded digits data: the same networks and settings; only the number of classes,
# the data and the schedule change.
_base_ = [
    '../../_base_/distillers/iedml_cifar100_resnet32_resnet32.py',
    '../../_base_/tiny/digits_runtime.py',
]
_optim = dict(type='OptimWrapper',
              optimizer=dict(type='SGD', lr=0.1, momentum=0.9, nesterov=True, weight_decay=5e-4))
optim_wrapper = dict(_delete_=True, constructor='mmiekd.BranchOptimWrapperConstructor', net1=_optim, net2=_optim)
model = dict(net1=dict(head=dict(num_classes=10)), net2=dict(head=dict(num_classes=10)))
