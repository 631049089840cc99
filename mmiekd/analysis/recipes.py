"""A recipe as the tools read it: the config with its overrides, and its model built for measuring."""
import os.path as osp
import warnings
from typing import Optional

import torch
from mmengine.config import Config

from mmiekd.registry import MODELS
from mmiekd.utils import register_all_modules, resolve_config_path, with_build_scopes
from mmiekd.utils.model_config import mmiekd_config_paths


def load_recipe(config: str, cfg_options: Optional[dict] = None) -> Config:
    """Reads a recipe (local path or ``mmiekd::`` path) and applies ``cfg_options`` (``--cfg-options``)."""
    register_all_modules(init_default_scope=False)
    with mmiekd_config_paths():
        cfg = Config.fromfile(resolve_config_path(config, 'config'))
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    return cfg


def build_recipe_model(cfg: Config, seed: int = 0) -> torch.nn.Module:
    """The recipe's distiller, in train mode, with the teacher's weights only where they are on this machine.

    ``teacher_ckpt`` (and IE-KD's ``ie.autoencoder_ckpt``) are loaded when they are local files; a URL or
    a missing file is left out (random teacher weights: the measurement then needs no download). Phase 1
    (the FT/IE-KD teacher auto-encoders) is marked done with the auto-encoders as built, so that the
    student's terms of phase 2 can be measured.

    Args:
        cfg (Config): The recipe (:func:`load_recipe`).
        seed (int): Seed of the weights' initialisation.
    """
    model_cfg = dict(cfg.model)
    if model_cfg.get('teacher_ckpt') and not osp.isfile(str(model_cfg['teacher_ckpt'])):
        model_cfg['teacher_ckpt'] = None
    if isinstance(model_cfg.get('ie'), dict) and model_cfg['ie'].get('autoencoder_ckpt') \
            and not osp.isfile(str(model_cfg['ie']['autoencoder_ckpt'])):
        model_cfg['ie'] = dict(model_cfg['ie'], autoencoder_ckpt=None)
    if cfg.get('data_preprocessor'):
        model_cfg.setdefault('data_preprocessor', cfg.data_preprocessor)
    torch.manual_seed(seed)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # a teacher without weights is intended here
        model = MODELS.build(with_build_scopes(model_cfg))
    _drop_pretrained_init(model)
    model.init_weights()
    if hasattr(model, 'autoencoder_trained') and not bool(model.autoencoder_trained):
        model.finish_autoencoder_phase()
    return model.train()


def _drop_pretrained_init(model: torch.nn.Module) -> None:
    """Removes ``init_cfg=dict(type='Pretrained', ...)`` (ImageNet backbones by URL): initialised as built."""
    for module in model.modules():
        init_cfg = getattr(module, 'init_cfg', None)
        cfgs = init_cfg if isinstance(init_cfg, list) else [init_cfg]
        if any(isinstance(c, dict) and c.get('type') == 'Pretrained' for c in cfgs):
            module.init_cfg = [c for c in cfgs if not (isinstance(c, dict) and c.get('type') == 'Pretrained')] or None
