"""bf16 autocast on the CPU (tools/train.py --amp without a GPU) with a distiller."""
import pytest
import torch
from conftest import classification_batch, tiny_classifier

from mmiekd.engine.optimizers import CPUAutocastOptimWrapper
from mmiekd.models import SingleTeacherDistiller


def test_distiller_trains_under_bf16_autocast_with_fp32_losses_and_weights():
    torch.manual_seed(0)
    with pytest.warns(UserWarning, match='teacher_ckpt'):
        model = SingleTeacherDistiller(
            student=tiny_classifier(4), teacher=tiny_classifier(8),
            distill=dict(feat=dict(student='backbone.layer4', teacher='backbone.layer4',
                                   loss=dict(type='mmiekd.FeatureMSELoss'),
                                   connector=dict(type='mmiekd.ConvConnector', in_channels=32, out_channels=64))))
    params = [p for p in model.parameters() if p.requires_grad]
    wrapper = CPUAutocastOptimWrapper(optimizer=torch.optim.SGD(params, lr=0.1))
    seen = {}

    def remember_dtype(module, inputs, output):
        seen.setdefault('dtype', output.dtype)

    model.student.backbone.layer4.register_forward_hook(remember_dtype)
    before = model.student.backbone.conv1.weight.detach().clone()
    model.train()
    losses = model.train_step(classification_batch(), wrapper)
    assert seen['dtype'] == torch.bfloat16, 'the forward ran under bf16 autocast'
    assert losses['distill.loss_feat'].dtype == torch.float32, 'losses are computed in fp32'
    assert torch.isfinite(losses['loss'])
    assert model.student.backbone.conv1.weight.dtype == torch.float32
    assert not torch.equal(before, model.student.backbone.conv1.weight)


def test_rejects_unknown_dtype():
    with pytest.raises(ValueError, match='optim_wrapper.dtype'):
        CPUAutocastOptimWrapper(dtype='int8', optimizer=torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1))
