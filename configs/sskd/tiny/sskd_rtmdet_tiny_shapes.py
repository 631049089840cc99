# configs/sskd/rtmdet_s_l.py shrunk for CPU runs on the embedded shapes data: a tiny RTMDet student (CSPNeXt
# stages 16/32/64/128 channels) and a twice-as-wide teacher, a connector per stage, four 40-iteration stages
# and a 140-iteration head phase, with RTMDet's EMA and pipeline-switch hooks.
_base_ = ['../../_base_/tiny/shapes_runtime.py']
model = dict(
    type='mmiekd.SSKDDistiller',
    student=dict(cfg_path='mmiekd::_base_/tiny/rtmdet_w0125.py'),
    teacher=dict(cfg_path='mmiekd::_base_/tiny/rtmdet_w025.py'),
    teacher_ckpt=None,
    stages=[dict(student=f'backbone.stage{i + 1}', teacher=f'backbone.stage{i + 1}', length=40,
                 connector=dict(type='mmiekd.ConvConnector', in_channels=16 * 2**i, out_channels=32 * 2**i))
            for i in range(4)],
    head_length=140)
custom_hooks = [
    dict(type='EMAHook', ema_type='ExpMomentumEMA', momentum=0.0002, update_buffers=True, priority=49),
    dict(type='PipelineSwitchHook', switch_epoch=0, switch_pipeline={{_base_.train_pipeline}}),
    dict(type='mmiekd.SSKDStageHook', by_epoch=False),
]
runner_type = 'mmiekd.DistillRunner'
# Under DDP: the parameters that train change at each stage boundary (mmiekd.StageDistributedDataParallel).
model_wrapper_cfg = dict(type='mmiekd.StageDistributedDataParallel')
