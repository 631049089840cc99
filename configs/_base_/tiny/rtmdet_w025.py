# The tiny RTMDet teacher: rtmdet_w0125.py twice as wide (stages 32/64/128/256, 32-channel neck), as RTMDet-l is
# to RTMDet-s: the student's neck levels need a connector (FitNet) or their own channel count (IE-KD).
_base_ = ['./rtmdet_w0125.py']
model = dict(
    backbone=dict(widen_factor=0.25),
    neck=dict(in_channels=[64, 128, 256], out_channels=32),
    bbox_head=dict(in_channels=32, feat_channels=32))
