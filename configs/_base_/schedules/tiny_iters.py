# A short iteration-based schedule for CPU runs on the embedded data (the main job, smoke tests). AdamW rather
# than mmdet's SGD 0.02: the tiny detectors train from scratch, in a few hundred iterations.
train_cfg = dict(type='IterBasedTrainLoop', max_iters=300, val_interval=300)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='AdamW', lr=0.001, weight_decay=0.0001))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=50),
    dict(type='MultiStepLR', by_epoch=False, begin=0, end=300, milestones=[240], gamma=0.1),
]
auto_scale_lr = dict(enable=False, base_batch_size=4)
