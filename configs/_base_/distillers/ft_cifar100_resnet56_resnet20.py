# Factor transfer (FT) on CIFAR-100: ResNet-56 teacher, ResNet-20 student, on the last group (layer3, 64
# channels; factor rate 0.5: 32-channel factors). As in the FT paper, the paraphraser is trained first by
# reconstruction of the frozen teacher's feature (phase 1: 30 epochs, SGD lr 0.1 Nesterov, as the authors),
# then frozen; the student's translator matches its factors with weight 500 (the authors' beta).
model = dict(
    type='mmiekd.SingleTeacherDistiller',
    student=dict(cfg_path='mmiekd::_base_/models/cifar100_resnet20.py'),
    teacher=dict(cfg_path='mmiekd::_base_/models/cifar100_resnet56.py'),
    teacher_ckpt='checkpoints/cifar100_resnet56.pth',  # configs/kd/cifar100_resnet56_teacher.py
    distill=dict(factor=dict(student='backbone.layer3', teacher='backbone.layer3',
                             loss=dict(type='mmiekd.FTLoss', student_channels=64, teacher_channels=64,
                                       factor_channels=32, loss_weight=500.0))))
custom_hooks = [
    dict(type='mmiekd.IEKDAutoEncoderHook', epochs=30,
         optimizer=dict(type='SGD', lr=0.1, momentum=0.9, nesterov=True, weight_decay=5e-4)),
    dict(type='mmiekd.TeacherValHook'),
]
# mmiekd's runner: crash-safe checkpoints, safe loading, CPU SyncBN (see mmiekd.DistillRunner).
runner_type = 'mmiekd.DistillRunner'
