# configs/iekd/rtmdet_s_l.py shrunk for CPU runs on the embedded shapes data: a tiny RTMDet student (16-channel
# neck levels, split 8/8) and a twice-as-wide teacher (32 channels, factorised into 8), with RTMDet's EMA and
# pipeline-switch hooks beside phase 1.
_base_ = ['../../_base_/tiny/shapes_runtime.py']
model = dict(
    type='mmiekd.IEKDDistiller',
    student=dict(cfg_path='mmiekd::_base_/tiny/rtmdet_w0125.py'),
    teacher=dict(cfg_path='mmiekd::_base_/tiny/rtmdet_w025.py'),
    teacher_ckpt=None,
    ie=dict(
        student='neck', teacher='neck', num_levels=3, shared=False,
        student_channels=16, teacher_channels=32, factor_channels=8, split='natural',
        # The scale-free distances (see configs/_base_/distillers/iekd_faster_rcnn_r50_r101.py); 0.17 gives each
        # term the share that the authors' form had at weight 1 at 64 px (loss_balance.py, 3 seeds: x5.8-6.0).
        inheritance=dict(type='mmiekd.IEInheritanceLoss', normalize='rms', loss_weight=0.17),
        exploration=dict(type='mmiekd.IEExplorationLoss', form='norm', normalize='rms', loss_weight=0.17)))
custom_hooks = [
    dict(type='EMAHook', ema_type='ExpMomentumEMA', momentum=0.0002, update_buffers=True, priority=49),
    dict(type='PipelineSwitchHook', switch_epoch=0, switch_pipeline={{_base_.train_pipeline}}),
    dict(type='mmiekd.IEKDAutoEncoderHook', iters=100, log_interval=20,
         optimizer=dict(type='SGD', lr=0.01, momentum=0.9, nesterov=True, weight_decay=1e-4)),
]
runner_type = 'mmiekd.DistillRunner'
