# SSKD on RTMDet: student RTMDet-s, teacher RTMDet-l (mmdet's configs, model-zoo teacher), mmdet's 300-epoch
# recipe (EMAHook, pipeline switch) split into four 10-epoch CSPNeXt stages and a 260-epoch head phase. The
# stages are half as wide in the student (64/128/256/512 against 128/256/512/1024): a 1x1 connector per stage
# maps the student's output to the teacher's for the mimic loss (connectors are dropped after their stage).
_base_ = ['mmdet::rtmdet/rtmdet_s_8xb32-300e_coco.py']
_widths = [(64, 128), (128, 256), (256, 512), (512, 1024)]
model = dict(
    _delete_=True,
    type='mmiekd.SSKDDistiller',
    student=dict(cfg_path='mmdet::rtmdet/rtmdet_s_8xb32-300e_coco.py'),
    teacher=dict(cfg_path='mmdet::rtmdet/rtmdet_l_8xb32-300e_coco.py'),
    teacher_ckpt='https://download.openmmlab.com/mmdetection/v3.0/rtmdet/rtmdet_l_8xb32-300e_coco/rtmdet_l_8xb32-300e_coco_20220719_112030-5a0be7c4.pth',
    stages=[dict(student=f'backbone.stage{i + 1}', teacher=f'backbone.stage{i + 1}', length=10,
                 connector=dict(type='mmiekd.ConvConnector', in_channels=s, out_channels=t))
            for i, (s, t) in enumerate(_widths)],
    head_length=260)
# The schedule of one phase, replayed from each stage boundary by SSKDStageHook(restart_lr=True): mmdet's
# 1000-iteration warm-up, then the cosine decay over the second half of the head phase (epochs 130-260).
param_scheduler = [
    dict(type='LinearLR', start_factor=1.0e-5, by_epoch=False, begin=0, end=1000),
    dict(type='CosineAnnealingLR', eta_min=0.004 * 0.05, begin=130, end=260, T_max=130, by_epoch=True,
         convert_to_iter_based=True),
]
custom_hooks = [
    dict(type='EMAHook', ema_type='ExpMomentumEMA', momentum=0.0002, update_buffers=True, priority=49),
    dict(type='PipelineSwitchHook', switch_epoch=280, switch_pipeline={{_base_.train_pipeline_stage2}}),
    dict(type='mmiekd.SSKDStageHook', by_epoch=True, restart_lr=True),
]
runner_type = 'mmiekd.DistillRunner'
# Under DDP: the parameters that train change at each stage boundary (mmiekd.StageDistributedDataParallel).
model_wrapper_cfg = dict(type='mmiekd.StageDistributedDataParallel')
