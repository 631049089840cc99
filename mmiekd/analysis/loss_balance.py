"""The pull of each distillation term against the task, in one training step of a recipe's real models.

A loss weight chosen at one input size keeps its meaning at another only if the term's gradient on the student
scales as the task's does. :func:`measure_balance` runs one step on synthetic images and reports, for every
weighted distillation term (and every FPN level of it), its value and the norm of its gradient on the student
modules it distils, as a share of the task losses' gradient norm on the same parameters.
"""
from dataclasses import asdict, dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from mmengine.config import Config
from torch import nn

from .synthetic import synthetic_batch

#: The logged keys of IE-KD's two terms and the distiller attribute of each term's loss module.
IE_TERMS = {'ie.loss_inh': 'inheritance_loss', 'ie.loss_exp': 'exploration_loss'}


@dataclass
class BalanceRow:
    """One term (``level`` None: summed over levels, as logged) or one level of it, at one input size.

    ``share`` = ``grad_norm / task_grad_norm``, both norms taken on the parameters of ``modules``: the student
    modules that the recipe's terms distil, all of them (e.g. ``('neck', )``), so that every term of a recipe is
    read against the same task gradient; ``map_size`` is the (H, W) of the level's student map (level rows).
    """
    size: Tuple[int, int]
    term: str
    level: Optional[int]
    value: float
    grad_norm: float
    task_grad_norm: float
    modules: Tuple[str, ...]
    map_size: Optional[Tuple[int, int]] = None

    @property
    def share(self) -> float:
        return self.grad_norm / self.task_grad_norm if self.task_grad_norm > 0 else float('inf')

    def to_dict(self) -> dict:
        return dict(asdict(self), share=self.share)


def _pipeline(dataloader_cfg) -> list:
    dataset = (dataloader_cfg or {}).get('dataset', {})
    while 'pipeline' not in dataset and 'dataset' in dataset:  # dataset wrappers
        dataset = dataset['dataset']
    return list(dataset.get('pipeline', []))


def _size(value) -> Tuple[int, int]:
    """A pipeline's size ((w, h) tuple, as MMCV writes scales and crop sizes, or an int) -> (H, W)."""
    if isinstance(value, (list, tuple)):
        return int(value[1]), int(value[0])
    return int(value), int(value)


def recipe_input_size(cfg: Config) -> Tuple[int, int]:
    """The (H, W) of the images a recipe trains on, read from its training pipeline: the last transform that
    sets the size (a crop's ``crop_size``, a resize's ``scale``: ``Resize(scale=(1333, 800))`` -> (800, 1333));
    CIFAR datasets without one: (32, 32).

    Raises:
        ValueError: the pipeline does not tell the size (pass the sizes explicitly).
    """
    pipeline = _pipeline(cfg.get('train_dataloader'))
    for transform in reversed(pipeline):
        kind = str(transform.get('type', ''))
        if transform.get('crop_size') is not None:
            return _size(transform['crop_size'])
        if 'Resize' in kind and transform.get('scale') is not None:
            return _size(transform['scale'])
    dataset_type = str(cfg.get('train_dataloader', {}).get('dataset', {}).get('type', ''))
    if 'CIFAR' in dataset_type:
        return 32, 32
    raise ValueError('cannot tell the input size from `train_dataloader.dataset.pipeline` (no crop_size or resize '
                     'scale): give the sizes explicitly (--img-size H W)')


def recipe_batch_size(cfg: Config, default: int = 2) -> int:
    """Images per step (per GPU) of a recipe's ``train_dataloader``: what BatchNorm sees in one step."""
    return int((cfg.get('train_dataloader') or {}).get('batch_size', default))


def weighted_terms(model: nn.Module) -> Dict[str, Tuple[nn.Module, Tuple[str, ...]]]:
    """``{logged key: (loss module, the student modules it distils)}`` of every weighted term of a distiller
    built on :class:`SingleTeacherDistiller` (KD, FitNet, AT, FT terms in ``distill``; IE-KD's two terms)."""
    terms = {}
    for name, term in getattr(model, 'terms', {}).items():
        terms[f'distill.loss_{name}'] = (model.distill_losses[name], (term.student, ))
    if getattr(model, 'method', None) == 'iekd':
        for key, attribute in IE_TERMS.items():
            terms[key] = (getattr(model, attribute), tuple(model.ie_student))
    if not terms:
        raise ValueError(f'{type(model).__name__} has no weighted distillation term to measure (loss_balance reads '
                         "`distill` terms and IE-KD's terms)")
    return terms


def _grad_norm(loss: torch.Tensor, params: Sequence[nn.Parameter]) -> float:
    grads = torch.autograd.grad(loss, params, retain_graph=True, allow_unused=True)
    return float(torch.sqrt(sum((g.detach().float()**2).sum() for g in grads if g is not None) + 0.))


def _task_loss(losses: Dict[str, torch.Tensor], distill_keys) -> torch.Tensor:
    total = 0.
    for key, value in losses.items():
        if key in distill_keys or 'loss' not in key:
            continue
        for item in (value if isinstance(value, (list, tuple)) else [value]):
            total = total + item.sum()
    if not isinstance(total, torch.Tensor):
        raise ValueError(f'no task loss among the logged keys {sorted(losses)}')
    return total


def measure_balance(model: nn.Module, size: Tuple[int, int], batch: int = 2, seed: int = 0,
                    base_size: Optional[Tuple[int, int]] = None) -> List[BalanceRow]:
    """One training step of ``model`` (a distiller in train mode) on a synthetic batch of ``size`` (H, W):
    every weighted term and each of its levels, with its gradient share against the task losses.

    Args:
        model (nn.Module): A built distiller (:func:`mmiekd.analysis.build_recipe_model`).
        size (tuple): (H, W) of the images.
        batch (int): Images in the batch (with boxes for detectors, labels for classifiers).
        seed (int): Seed of the images and their labels.
        base_size (tuple, optional): Draw the scenes at this (H, W) and resize them to ``size``, so that every
            size shows the same content (see :func:`synthetic_batch`); default: independent pixels at ``size``.

    Returns:
        list[BalanceRow]: For each term its total row (``level=None``), then one row per level when the term is
        computed on several (FPN levels, IE levels).
    """
    terms = weighted_terms(model)
    calls: Dict[str, List[Tuple[torch.Tensor, tuple]]] = {key: [] for key in terms}
    handles = [module.register_forward_hook(
        lambda m, args, out, key=key: calls[key].append((out, tuple(args[0].shape[2:]))))
        for key, (module, _) in terms.items()]
    try:
        data = model.data_preprocessor(synthetic_batch(model.student, batch, size, seed, base_size), training=True)
        losses = model(**data, mode='loss')
    finally:
        for handle in handles:
            handle.remove()
    task = _task_loss(losses, set(terms))
    factor = float(getattr(model, 'ie_weight_factor', 1.0))
    module_names = tuple(dict.fromkeys(name for _, names in terms.values() for name in names))
    params = list({id(p): p for name in module_names for p in model.student.get_submodule(name).parameters()
                   if p.requires_grad}.values())
    task_norm = _grad_norm(task, params)
    rows = []
    for key in terms:
        if key not in losses:
            continue  # an inactive term
        parts = [(None, losses[key], None)]
        if len(calls[key]) > 1:
            scale = factor if key in IE_TERMS else 1.0
            # IE's calls follow `ie.levels` (e.g. [1, 2, 3, 4]: P3-P6); a `distill` term's follow the outputs.
            levels = list(model.ie_levels) * len(model.ie_student) if key in IE_TERMS else range(len(calls[key]))
            parts += [(level, scale * out, hw) for level, (out, hw) in zip(levels, calls[key])]
        for level, loss, hw in parts:
            rows.append(BalanceRow(size=tuple(size), term=key, level=level, value=float(loss.detach()),
                                   grad_norm=_grad_norm(loss, params), task_grad_norm=task_norm,
                                   modules=tuple(module_names), map_size=hw))
    return rows


def format_table(rows: Sequence[BalanceRow]) -> str:
    """A markdown table of rows: size, term, level, value, gradient norm and its share of the task's."""
    lines = ['| input (H x W) | term | level (map) | value | grad norm | task grad norm | share of task |',
             '|---|---|---|---|---|---|---|']
    for row in rows:
        level = 'all' if row.level is None else f'{row.level} ({row.map_size[0]} x {row.map_size[1]})'
        lines.append(f'| {row.size[0]} x {row.size[1]} | {row.term} | {level} | {row.value:.4g} | '
                     f'{row.grad_norm:.3g} | {row.task_grad_norm:.3g} | {row.share:.3g} |')
    return '\n'.join(lines)
