# configs/iekd/retinanet_r50_faster_rcnn_r101.py shrunk for CPU runs on the embedded shapes data: a tiny
# RetinaNet student, a tiny Faster R-CNN teacher, levels paired by stride.
_base_ = ['./iekd_faster_rcnn_tiny_shapes.py']
_mse = dict(type='mmiekd.FeatureMSELoss', loss_weight=1.0)
model = dict(
    student=dict(_delete_=True, cfg_path='mmiekd::_base_/tiny/retinanet_r18c8.py'),
    ie=dict(student=['neck.fpn_convs.0', 'neck.fpn_convs.1', 'neck.fpn_convs.2'],
            teacher=['neck.fpn_convs.1', 'neck.fpn_convs.2', 'neck.fpn_convs.3'], num_levels=3, levels=None),  # all three pairs
    # The FitNet term the IE terms ride on, paired by stride in the same way.
    distill=dict(_delete_=True, **{f'p{k + 3}': dict(student=f'neck.fpn_convs.{k}', teacher=f'neck.fpn_convs.{k + 1}',
                                                     loss=_mse) for k in range(3)}))
