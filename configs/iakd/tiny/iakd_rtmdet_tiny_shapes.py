# configs/iakd/rtmdet_s_l.py shrunk for CPU runs on the embedded shapes data: CSPNeXt stages 2-4 of a tiny RTMDet
# student (16/32/64/128 channels) swappable with a twice-as-wide teacher's through 1x1 connectors, with
# RTMDet's EMA and pipeline-switch hooks; p falls from 0.5 to 0 by iteration 240.
_base_ = ['../../_base_/tiny/shapes_runtime.py']
model = dict(
    type='mmiekd.IAKDDistiller',
    student=dict(cfg_path='mmiekd::_base_/tiny/rtmdet_w0125.py'),
    teacher=dict(cfg_path='mmiekd::_base_/tiny/rtmdet_w025.py'),
    teacher_ckpt=None,
    blocks=[dict(student=f'backbone.stage{i}', teacher=f'backbone.stage{i}',
                 in_connector=dict(type='mmiekd.ConvConnector', in_channels=8 * 2**(i - 1),
                                   out_channels=16 * 2**(i - 1)),
                 out_connector=dict(type='mmiekd.ConvConnector', in_channels=16 * 2**i, out_channels=8 * 2**i))
            for i in range(2, 5)],
    swap_prob=0.5)
custom_hooks = [
    dict(type='EMAHook', ema_type='ExpMomentumEMA', momentum=0.0002, update_buffers=True, priority=49),
    dict(type='PipelineSwitchHook', switch_epoch=0, switch_pipeline={{_base_.train_pipeline}}),
    dict(type='mmiekd.IAKDSwapHook', p_start=0.5, p_end=0.0, schedule='linear', end=150, by_epoch=False),
]
runner_type = 'mmiekd.DistillRunner'
