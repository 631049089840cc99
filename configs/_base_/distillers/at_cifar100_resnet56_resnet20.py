# Attention transfer (AT) on CIFAR-100: ResNet-56 teacher, ResNet-20 student. The outputs of the three
# groups (layer1-3) transfer their spatial attention maps, weight 500 each (the AT paper's beta = 1000 with
# its 1/2 factor), beside the student's cross-entropy.
model = dict(
    type='mmiekd.SingleTeacherDistiller',
    student=dict(cfg_path='mmiekd::_base_/models/cifar100_resnet20.py'),
    teacher=dict(cfg_path='mmiekd::_base_/models/cifar100_resnet56.py'),
    teacher_ckpt='checkpoints/cifar100_resnet56.pth',  # configs/kd/cifar100_resnet56_teacher.py
    distill={
        f'layer{i}': dict(student=f'backbone.layer{i}', teacher=f'backbone.layer{i}',
                          loss=dict(type='mmiekd.ATLoss', loss_weight=500.0))
        for i in (1, 2, 3)
    })
custom_hooks = [dict(type='mmiekd.TeacherValHook')]
# mmiekd's runner: crash-safe checkpoints, safe loading, CPU SyncBN (see mmiekd.DistillRunner).
runner_type = 'mmiekd.DistillRunner'
