# IAKD on RTMDet: student RTMDet-s, teacher RTMDet-l (mmdet's configs, model-zoo teacher), mmdet's 300-epoch
# recipe (EMAHook, pipeline switch). The CSPNeXt stages 2-4 are swappable; the teacher's are twice as wide, so
# a 1x1 connector maps the student's feature into each teacher stage and one maps its output back. p falls
# linearly from 0.5 to 0 by epoch 280, where the last 20 epochs (the pipeline switch) train the pure student.
_base_ = ['mmdet::rtmdet/rtmdet_s_8xb32-300e_coco.py']
_widths = [(64, 128), (128, 256), (256, 512), (512, 1024)]  # stage 1..4 outputs, student and teacher
model = dict(
    _delete_=True,
    type='mmiekd.IAKDDistiller',
    student=dict(cfg_path='mmdet::rtmdet/rtmdet_s_8xb32-300e_coco.py'),
    teacher=dict(cfg_path='mmdet::rtmdet/rtmdet_l_8xb32-300e_coco.py'),
    teacher_ckpt='https://download.openmmlab.com/mmdetection/v3.0/rtmdet/rtmdet_l_8xb32-300e_coco/rtmdet_l_8xb32-300e_coco_20220719_112030-5a0be7c4.pth',
    blocks=[dict(student=f'backbone.stage{i}', teacher=f'backbone.stage{i}',
                 in_connector=dict(type='mmiekd.ConvConnector', in_channels=_widths[i - 2][0],
                                   out_channels=_widths[i - 2][1]),
                 out_connector=dict(type='mmiekd.ConvConnector', in_channels=_widths[i - 1][1],
                                    out_channels=_widths[i - 1][0]))
            for i in range(2, 5)],
    swap_prob=0.5)
custom_hooks = [
    dict(type='EMAHook', ema_type='ExpMomentumEMA', momentum=0.0002, update_buffers=True, priority=49),
    dict(type='PipelineSwitchHook', switch_epoch=280, switch_pipeline={{_base_.train_pipeline_stage2}}),
    dict(type='mmiekd.IAKDSwapHook', p_start=0.5, p_end=0.0, schedule='linear', end=280, by_epoch=True),
]
runner_type = 'mmiekd.DistillRunner'
