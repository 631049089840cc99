# configs/kd/fitnet_rtmdet_s_l.py shrunk for CPU runs on the embedded shapes data: a tiny RTMDet student (16-
# channel neck) and a twice-as-wide teacher (32), a 1x1 connector per level, and RTMDet's own hooks: EMA of
# the weights and the pipeline switch (at the start here: an iteration-based run has a single "epoch").
_base_ = ['../../_base_/tiny/shapes_runtime.py']
model = dict(
    type='mmiekd.SingleTeacherDistiller',
    student=dict(cfg_path='mmiekd::_base_/tiny/rtmdet_w0125.py'),
    teacher=dict(cfg_path='mmiekd::_base_/tiny/rtmdet_w025.py'),
    teacher_ckpt=None,
    distill=dict(
        neck=dict(student='neck', teacher='neck',
                  connector=[dict(type='mmiekd.ConvConnector', in_channels=16, out_channels=32)] * 3,
                  loss=dict(type='mmiekd.FeatureMSELoss', loss_weight=1.0))))
custom_hooks = [
    dict(type='EMAHook', ema_type='ExpMomentumEMA', momentum=0.0002, update_buffers=True, priority=49),
    dict(type='PipelineSwitchHook', switch_epoch=0, switch_pipeline={{_base_.train_pipeline}}),
]
runner_type = 'mmiekd.DistillRunner'
