# The second embedded detection dataset: scikit-learn's handwritten digits (10 classes) on crops of its photos, in
# COCO format (mmiekd.datasets.digit_scenes), written to data/digit_scenes/ on first use by
# tools/dataset_converters/make_digit_scenes.py (or the main job's `--track scenes`). Read and evaluated as the
# shapes dataset is (mmdet's own CocoDataset and CocoMetric); only the folder and the classes differ.
_base_ = ['./shapes_coco_detection.py']
data_root = 'data/digit_scenes/'
metainfo = dict(classes=('0', '1', '2', '3', '4', '5', '6', '7', '8', '9'))
train_dataloader = dict(dataset=dict(data_root=data_root, metainfo=metainfo))
val_dataloader = dict(dataset=dict(data_root=data_root, metainfo=metainfo))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + 'annotations/instances_val.json')
test_evaluator = val_evaluator
