# A short iteration-based schedule for CPU runs of the CIFAR-style recipes on the embedded digits data.
optim_wrapper = dict(type='OptimWrapper',
                     optimizer=dict(type='SGD', lr=0.1, momentum=0.9, nesterov=True, weight_decay=5e-4))
param_scheduler = dict(type='MultiStepLR', by_epoch=False, milestones=[150], gamma=0.1)
train_cfg = dict(type='IterBasedTrainLoop', max_iters=200, val_interval=200)
val_cfg = dict()
test_cfg = dict()
