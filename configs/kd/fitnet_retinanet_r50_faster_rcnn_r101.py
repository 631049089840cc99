# FitNet across detector families: a RetinaNet R50 student learns from a Faster R-CNN R101 teacher (mmdet's
# configs, model-zoo teacher). Their FPNs cover different strides (RetinaNet P3-P7, Faster R-CNN P2-P6), so
# the levels are paired by stride, module by module: the student's fpn_convs.0-2 (P3-P5) mimic the teacher's
# fpn_convs.1-3 (P3-P5); both 256 channels.
_base_ = ['./fitnet_faster_rcnn_r50_r101.py']
# Weight 0.5 (the tiny recipe's 1 halved): the RetinaNet student's task gradient is 4 times smaller at 512 px than
# at 128 px, so at 1 the terms' shares grew 2.3-4.1x from the tiny balance (loss_balance.py, docs/loss_balance.md).
_mse = dict(type='mmiekd.FeatureMSELoss', loss_weight=0.5)
model = dict(
    student=dict(_delete_=True, cfg_path='mmdet::retinanet/retinanet_r50_fpn_1x_coco.py'),
    distill=dict(
        _delete_=True,
        p3=dict(student='neck.fpn_convs.0', teacher='neck.fpn_convs.1', loss=_mse),
        p4=dict(student='neck.fpn_convs.1', teacher='neck.fpn_convs.2', loss=_mse),
        p5=dict(student='neck.fpn_convs.2', teacher='neck.fpn_convs.3', loss=_mse)))
optim_wrapper = dict(optimizer=dict(lr=0.01))  # RetinaNet's own mmdet setting
