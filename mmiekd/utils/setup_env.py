"""Registers every mmiekd module and, optionally, makes ``mmiekd`` the default scope."""
import datetime
import warnings

from mmengine import DefaultScope


def register_all_modules(init_default_scope: bool = True) -> None:
    """Imports mmiekd's modules so that they are in their registries.

    mmdet's and mmpretrain's registries are imported too, so that one config can name ``mmdet.X`` and
    ``mmpretrain.Y`` types beside ours.

    Args:
        init_default_scope (bool): Whether to set ``mmiekd`` as the default scope (as mmdet's own
            ``register_all_modules`` does for ``mmdet``). If another default scope is current, a new
            instance named with a timestamp is created so that the other one is left intact.
    """
    import mmiekd.datasets  # noqa: F401
    import mmiekd.engine  # noqa: F401
    import mmiekd.models  # noqa: F401
    for package in ('mmdet', 'mmpretrain'):
        try:
            __import__(f'{package}.registry')
        except ImportError:  # optional: the other toolbox may not be installed
            pass
    if not init_default_scope:
        return
    never_created = (DefaultScope.get_current_instance() is None
                     or not DefaultScope.check_instance_created('mmiekd'))
    if never_created:
        DefaultScope.get_instance('mmiekd', scope_name='mmiekd')
        return
    current = DefaultScope.get_current_instance()
    if current.scope_name != 'mmiekd':
        warnings.warn(f'The current default scope "{current.scope_name}" is not "mmiekd"; '
                      '`register_all_modules` forces it to "mmiekd".')
        stamp = datetime.datetime.now().strftime('%Y%m%d-%H%M%S%f')
        DefaultScope.get_instance(f'mmiekd-{stamp}', scope_name='mmiekd')
