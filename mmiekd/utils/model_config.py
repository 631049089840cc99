"""Turns what a user writes for a model (a config dict, ``pkg::path`` or a local config file) into a model
config dict that builds in the right registry scope."""
import copy
import os.path as osp
from contextlib import contextmanager
from typing import Optional, Union

from mmengine.config import Config, ConfigDict

# Scopes whose registries hold model types we build across toolboxes.
KNOWN_SCOPES = ('mmdet', 'mmpretrain', 'mmiekd', 'mmengine', 'mmcv')


def with_build_scopes(cfg, default_scope: Optional[str] = None):
    """Returns a copy of a config in which every ``type='pkg.Name'`` dict also carries ``_scope_='pkg'``.

    MMEngine resolves ``'mmdet.FasterRCNN'`` to the right class, but the submodules that class builds are
    looked up in the *current default scope*: with ``default_scope='mmiekd'`` mmdet's ``ResNet`` would be
    searched in mmiekd's registry and not found (or, worse, mmpretrain's ``ResNet`` found). Setting
    ``_scope_`` makes MMEngine switch the default scope while that subtree is built.

    Args:
        cfg: A config dict, or a list/tuple of them; other values are returned unchanged.
        default_scope (str, optional): Scope given to the top-level dict when its type has no prefix and
            it has no ``_scope_`` yet (for a model taken from an mmdet config file, ``'mmdet'``).
    """
    def visit(node, scope_hint):
        if isinstance(node, dict):
            node = type(node)(node) if not isinstance(node, ConfigDict) else ConfigDict(node)
            obj_type = node.get('type')
            if isinstance(obj_type, str) and '.' in obj_type:
                scope, name = obj_type.split('.', 1)
                if scope in KNOWN_SCOPES and '_scope_' not in node:
                    node['_scope_'] = scope
                    node['type'] = name
            elif isinstance(obj_type, str) and scope_hint and '_scope_' not in node:
                node['_scope_'] = scope_hint
            return type(node)({k: visit(v, None) for k, v in node.items()})
        if isinstance(node, (list, tuple)):
            return type(node)(visit(v, None) for v in node)
        return node

    return visit(copy.deepcopy(cfg), default_scope)


def resolve_config_path(path: str, key: str) -> str:
    """``'mmdet::faster_rcnn/x.py'`` -> the file inside the installed package; local paths unchanged."""
    if '::' not in path:
        if not osp.isfile(path):
            raise FileNotFoundError(f'`{key}`: config file "{path}" does not exist')
        return path
    package, relative = path.split('::', 1)
    try:
        root = package_root(package)
    except Exception as err:  # pkg_resources/importlib raise various errors for a missing package
        raise FileNotFoundError(f'`{key}`: cannot find the package "{package}" of "{path}": {err}') from err
    full = osp.join(root, '.mim', 'configs', relative)
    if not osp.isfile(full):
        raise FileNotFoundError(f'`{key}`: the config "{path}" does not exist ({full})')
    return full


def package_root(package: str) -> str:
    """The folder of an installed package; mmiekd's own is this package's folder.

    MMEngine looks packages up in site-packages, where an editable install (``pip install -e .``) keeps
    only its metadata; mmiekd knows where it is.
    """
    if package == 'mmiekd':
        return osp.dirname(osp.dirname(osp.abspath(__file__)))
    from mmengine.utils import get_installed_path
    return get_installed_path(package)


@contextmanager
def mmiekd_config_paths():
    """Within this context, ``Config.fromfile`` also reads ``_base_ = 'mmiekd::...'`` configs.

    MMEngine knows a fixed list of packages for ``pkg::`` paths and finds them in site-packages; this
    scope adds mmiekd (at :func:`package_root`) and restores MMEngine's table and look-up on leaving.
    ``tools/train.py``/``tools/test.py`` read configs in it; mmiekd's own recipes need no ``mmiekd::``
    in their ``_base_``.
    """
    import mmengine.config.config as config_module
    from mmengine.config.utils import MODULE2PACKAGE
    original_lookup = config_module.get_installed_path
    had_entry = 'mmiekd' in MODULE2PACKAGE

    def lookup(package: str) -> str:
        return package_root(package) if package == 'mmiekd' else original_lookup(package)

    MODULE2PACKAGE.setdefault('mmiekd', 'mmiekd')
    config_module.get_installed_path = lookup
    try:
        yield
    finally:
        config_module.get_installed_path = original_lookup
        if not had_entry:
            MODULE2PACKAGE.pop('mmiekd', None)


def load_model_cfg(model: Union[str, dict], key: str) -> ConfigDict:
    """Resolves a model given as a config dict, a ``pkg::path`` config or a local config file.

    Args:
        model (str | dict): ``dict(type=...)``; ``'mmdet::faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py'``;
            a path to a local config file whose ``model`` is used; or ``dict(cfg_path=<one of those>,
            **overrides)``, the file's model with ``overrides`` merged in (as ``_base_`` inheritance does,
            ``_delete_=True`` included): recipes that derive from a recipe change only what differs.
        key (str): The config key being resolved (``'student'``, ``'teacher'``), named in errors.

    Returns:
        ConfigDict: The model config, with ``_scope_`` set so that it builds in its own toolbox.
    """
    if isinstance(model, dict) and 'cfg_path' in model:
        overrides = {k: v for k, v in model.items() if k != 'cfg_path'}
        base = load_model_cfg(model['cfg_path'], f'{key}.cfg_path')
        merged = Config._merge_a_into_b(copy.deepcopy(overrides), base.to_dict())
        return with_build_scopes(ConfigDict(merged))
    if isinstance(model, dict):
        return with_build_scopes(ConfigDict(model))
    if not isinstance(model, str):
        raise TypeError(f'`{key}` must be a model config dict, a "pkg::path" config or a config file path, '
                        f'but got {type(model).__name__}')
    with mmiekd_config_paths():
        cfg = Config.fromfile(resolve_config_path(model, key))
    scope = cfg.get('default_scope') or (model.split('::', 1)[0] if '::' in model else None)
    if 'model' not in cfg:
        raise KeyError(f'`{key}`: the config "{model}" has no `model`')
    return with_build_scopes(cfg.model, scope)


def check_config_keys(cfg, key: str, required, optional=()) -> None:
    """Raises a TypeError/KeyError naming ``key`` if ``cfg`` is not a dict with exactly these keys.

    Args:
        cfg: The configured value.
        key (str): Its config key (``'distill.fpn'``, ``'stages[1]'``), named in the error.
        required (Iterable[str]): Keys that must be there.
        optional (Iterable[str]): Keys that may be there.
    """
    if not isinstance(cfg, dict):
        raise TypeError(f'`{key}` must be a dict with keys {sorted(required)}, got {cfg!r}')
    unknown = set(cfg) - set(required) - set(optional)
    missing = set(required) - set(cfg)
    if unknown or missing:
        raise KeyError(f'`{key}`: ' + (f'unknown keys {sorted(unknown)}; ' if unknown else '')
                       + (f'missing keys {sorted(missing)}; ' if missing else '')
                       + f'expected {sorted(required)}' + (f' and optionally {sorted(optional)}' if optional else ''))
