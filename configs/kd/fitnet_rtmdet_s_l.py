# FitNet on RTMDet: student RTMDet-s, teacher RTMDet-l (mmdet's configs, model-zoo teacher), mmdet's
# 300-epoch recipe with its EMAHook and pipeline switch (inherited). The CSPNeXt-PAFPN outputs (P3-P5) are
# 128 channels wide in the student and 256 in the teacher: a 1x1 connector per level bridges them.
_base_ = ['mmdet::rtmdet/rtmdet_s_8xb32-300e_coco.py']
model = dict(
    _delete_=True,
    type='mmiekd.SingleTeacherDistiller',
    student=dict(cfg_path='mmdet::rtmdet/rtmdet_s_8xb32-300e_coco.py'),
    teacher=dict(cfg_path='mmdet::rtmdet/rtmdet_l_8xb32-300e_coco.py'),
    teacher_ckpt='https://download.openmmlab.com/mmdetection/v3.0/rtmdet/rtmdet_l_8xb32-300e_coco/rtmdet_l_8xb32-300e_coco_20220719_112030-5a0be7c4.pth',
    distill=dict(
        neck=dict(student='neck', teacher='neck',
                  connector=[dict(type='mmiekd.ConvConnector', in_channels=128, out_channels=256)] * 3,
                  loss=dict(type='mmiekd.FeatureMSELoss', loss_weight=1.0))))
runner_type = 'mmiekd.DistillRunner'
