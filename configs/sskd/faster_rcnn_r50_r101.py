# SSKD on COCO: Faster R-CNN FPN R50 student, R101 teacher (8 GPUs x 2 images). Four one-epoch backbone stages,
# then the head phase with the student alone's whole 1x schedule (12 epochs): 16 epochs in all, of which the
# stage epochs are cheap (the networks run only up to the stage, no head, no RPN/RoI work). Why the head phase
# gets the whole schedule: measured on the embedded tracks (configs/sskd/README.md), a head phase shorter than
# the student alone's training lost to the student alone; the whole schedule won.
_base_ = [
    '../_base_/distillers/sskd_faster_rcnn_r50_r101.py',
    'mmdet::_base_/datasets/coco_detection.py',
    'mmdet::_base_/schedules/schedule_1x.py',
    'mmdet::_base_/default_runtime.py',
]
# mmdet's 1x schedule (500-iteration warm-up, lr 0.02, /10 after epochs 8 and 11) is the schedule of one phase,
# replayed from each stage boundary by SSKDStageHook(restart_lr=True): the one-epoch stages warm up and never
# reach a decay; the twelve-epoch head phase runs the 1x exactly (training epochs 5-16, decays after its epochs 8
# and 11).
train_cfg = dict(max_epochs=4 + 12)
