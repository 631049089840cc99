# Hinton's KD on CIFAR-100: ResNet-56 teacher, ResNet-20 student; logits distilled at T=4 with the usual
# weights (0.9 KD, 0.1 cross-entropy), as in the CRD/RepDistiller benchmarks.
model = dict(
    type='mmiekd.SingleTeacherDistiller',
    student=dict(cfg_path='mmiekd::_base_/models/cifar100_resnet20.py',
                 head=dict(loss=dict(loss_weight=0.1))),
    teacher=dict(cfg_path='mmiekd::_base_/models/cifar100_resnet56.py'),
    # A ResNet-56 trained with configs/kd/cifar100_resnet56_teacher.py (about 72-73% top-1).
    teacher_ckpt='checkpoints/cifar100_resnet56.pth',
    distill=dict(
        logits=dict(student='head.fc', teacher='head.fc',
                    loss=dict(type='mmiekd.KDLoss', tau=4.0, loss_weight=0.9))))
custom_hooks = [dict(type='mmiekd.TeacherValHook')]
# mmiekd's runner: crash-safe checkpoints, safe loading, CPU SyncBN (see mmiekd.DistillRunner).
runner_type = 'mmiekd.DistillRunner'
