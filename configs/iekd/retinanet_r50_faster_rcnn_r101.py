# IE-KD across detector families: a RetinaNet R50 student, a Faster R-CNN R101 teacher (mmdet's configs,
# model-zoo teacher). Levels are paired by stride (see configs/kd/fitnet_retinanet_r50_faster_rcnn_r101.py):
# the student's P3-P5 (fpn_convs.0-2) inherit from / explore against the teacher's P3-P5 (fpn_convs.1-3).
_base_ = ['./faster_rcnn_r50_r101.py']
# Weight 0.5 (the tiny recipe's 1 halved): the RetinaNet student's task gradient is 4 times smaller at 512 px than
# at 128 px, so at 1 the terms' shares grew 2.3-4.1x from the tiny balance (loss_balance.py, docs/loss_balance.md).
_mse = dict(type='mmiekd.FeatureMSELoss', loss_weight=0.5)
model = dict(
    student=dict(_delete_=True, cfg_path='mmdet::retinanet/retinanet_r50_fpn_1x_coco.py'),
    ie=dict(student=['neck.fpn_convs.0', 'neck.fpn_convs.1', 'neck.fpn_convs.2'],
            teacher=['neck.fpn_convs.1', 'neck.fpn_convs.2', 'neck.fpn_convs.3'], num_levels=3, levels=None),  # all three pairs
    # The FitNet term the IE terms ride on, paired by stride in the same way.
    distill=dict(_delete_=True, **{f'p{k + 3}': dict(student=f'neck.fpn_convs.{k}', teacher=f'neck.fpn_convs.{k + 1}',
                                                     loss=_mse) for k in range(3)}))
optim_wrapper = dict(optimizer=dict(lr=0.01))  # RetinaNet's own mmdet setting
