# The IAKD detection recipe on the embedded data with an equal-width teacher: a ResNet-34 x8 tiny Faster R-CNN
# (_base_/tiny/faster_rcnn_r34c8_shapes.py), whose stages take and give the student's widths, so the teacher
# blocks are swapped in without connectors (as in the IAKD paper's ResNet pairs).
_base_ = ['./iakd_faster_rcnn_tiny_shapes.py']
model = dict(
    teacher=dict(_delete_=True, cfg_path='mmiekd::_base_/tiny/faster_rcnn_r34c8_shapes.py'),
    blocks=[dict(student=f'backbone.layer{i}', teacher=f'backbone.layer{i}') for i in range(1, 5)])
