# IE-KD on FCOS FPN (P3-P7, caffe-style ResNets): student ResNet-50, teacher ResNet-101 (mmdet's configs and
# model-zoo teacher); each FPN level (256 channels) factorised into 128, as the Faster R-CNN recipe.
_base_ = ['./faster_rcnn_r50_r101.py']
model = dict(
    student=dict(_delete_=True, cfg_path='mmdet::fcos/fcos_r50-caffe_fpn_gn-head_1x_coco.py'),
    teacher=dict(_delete_=True, cfg_path='mmdet::fcos/fcos_r101-caffe_fpn_gn-head-1x_coco.py'),
    teacher_ckpt='https://download.openmmlab.com/mmdetection/v2.0/fcos/fcos_r101_caffe_fpn_gn-head_1x_coco/fcos_r101_caffe_fpn_gn-head_1x_coco-0e37b982.pth')
# mmdet's FCOS optimizer settings.
optim_wrapper = dict(optimizer=dict(lr=0.01), paramwise_cfg=dict(bias_lr_mult=2., bias_decay_mult=0.),
                     clip_grad=dict(max_norm=35, norm_type=2))
