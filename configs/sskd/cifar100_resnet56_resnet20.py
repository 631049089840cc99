# SSKD on CIFAR-100: ResNet-56 teacher, ResNet-20 student. Schedule: three 40-epoch backbone stages, then the
# head phase with the student alone's whole schedule (160 epochs, lr 0.1 /10 at 80 and 120): each phase replays
# `param_scheduler` from its start (the stages end before its first decay). Stage steps run the networks only up
# to the stage, so the stages cost a fraction of their epochs. Why the head phase gets the whole schedule:
# measured on the embedded tracks (configs/sskd/README.md): a head phase shorter than the student alone's
# training lost to the student alone, the whole schedule won.
_base_ = [
    '../_base_/distillers/sskd_cifar100_resnet56_resnet20.py',
    'mmpretrain::_base_/datasets/cifar100_bs16.py',
    '../_base_/schedules/cifar_160e_bs128.py',
    'mmpretrain::_base_/default_runtime.py',
]
train_cfg = dict(max_epochs=3 * 40 + 160)
