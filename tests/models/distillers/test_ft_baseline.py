"""FT through SingleTeacherDistiller: the paraphraser is trained first (phase 1), by reconstruction of the
frozen teacher's feature, then frozen while the student's translator learns, as in the FT paper."""
import warnings

import pytest
import torch
from conftest import classification_batch, tiny_classifier

from mmiekd.models import SingleTeacherDistiller

FT = dict(student='backbone.layer4', teacher='backbone.layer4',
          loss=dict(type='mmiekd.FTLoss', student_channels=32, teacher_channels=64, factor_channels=8,
                    loss_weight=500.0))


def build():
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return SingleTeacherDistiller(student=tiny_classifier(4), teacher=tiny_classifier(8), distill=dict(ft=FT))


def batch(model, seed=0):
    data = model.data_preprocessor(classification_batch(seed=seed), True)
    return data['inputs'], data['data_samples']


def test_student_training_refuses_an_untrained_paraphraser():
    model = build()
    assert not bool(model.autoencoder_trained)
    with pytest.raises(RuntimeError, match='IEKDAutoEncoderHook'):
        model.loss(*batch(model))


def test_phase1_trains_the_paraphraser_by_reconstruction_then_freezes_it():
    model = build()
    paraphraser = model.distill_losses['ft'].paraphraser
    assert model.autoencoder_parameters() == list(paraphraser.parameters())
    before = {k: v.clone() for k, v in model.state_dict().items()}
    model.train()
    model.set_autoencoder_learning(True)
    optim = torch.optim.SGD(model.autoencoder_parameters(), lr=0.1)
    losses = []
    for step in range(8):
        loss = model.autoencoder_loss(*batch(model, 0))
        optim.zero_grad()
        loss.backward()
        optim.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]  # the reconstruction improves on a fixed batch
    model.finish_autoencoder_phase()
    after = model.state_dict()
    changed = {k for k in before if not torch.equal(before[k], after[k])}
    assert changed and all(k.startswith('distill_losses.ft.paraphraser.') for k in changed - {'autoencoder_trained'})
    assert bool(model.autoencoder_trained) and 'autoencoder_trained' in after
    # Phase 2: the translator and the student learn; paraphraser and teacher do not (BN statistics included).
    model.train()
    assert not paraphraser.training and not any(p.requires_grad for p in paraphraser.parameters())
    frozen = {k: v.clone() for k, v in model.state_dict().items() if 'paraphraser' in k or k.startswith('teacher')}
    losses = model.loss(*batch(model, 1))
    assert losses['distill.loss_ft'].item() > 0
    sum(v for k, v in losses.items() if 'loss' in k).backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in model.distill_losses['ft'].translator.parameters()
               if p.dim() > 1)
    assert all(p.grad is None for p in paraphraser.parameters())
    assert all(torch.equal(model.state_dict()[k], v) for k, v in frozen.items())
