# The tiny teacher of the Faster R-CNN recipes: as faster_rcnn_r18c8_shapes.py (stages 8/16/32/64, 16-channel FPN)
# with a ResNet-34's depth (3/4/6/3 blocks per stage): deeper than the student with the same widths, as mmdet's
# R101 teacher is to the R50 student, so stages and FPN levels compare without connectors (SSKD, IAKD, FitNet).
_base_ = ['./faster_rcnn_r18c8_shapes.py']
model = dict(backbone=dict(depth=34))
