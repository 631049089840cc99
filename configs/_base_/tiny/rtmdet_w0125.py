# mmdet's RTMDet (CSPNeXt + PAFPN + SepBN head) shrunk for CPU runs (model only): widen factor 0.125 (stages
# 16/32/64/128 channels), one block per stage, 16-channel neck (P3-P5) and head, 6 classes, from scratch.
_base_ = ['mmdet::rtmdet/rtmdet_tiny_8xb32-300e_coco.py']
model = dict(
    backbone=dict(deepen_factor=0.167, widen_factor=0.125, init_cfg=None),
    neck=dict(in_channels=[32, 64, 128], out_channels=16, num_csp_blocks=1),
    bbox_head=dict(num_classes=6, in_channels=16, feat_channels=16, stacked_convs=1))
