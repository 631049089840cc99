"""One optimizer per trained network, for models that train several networks (IE-DML)."""
from mmengine.model import is_model_wrapper
from mmengine.optim import DefaultOptimWrapperConstructor, OptimWrapperDict

from mmiekd.registry import OPTIM_WRAPPER_CONSTRUCTORS


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class BranchOptimWrapperConstructor:
    """Builds an :class:`OptimWrapperDict` with one wrapper per branch of the model.

    The model names its branches and the modules each one trains (``model.branch_modules(name)``); each
    branch's config is handled by MMEngine's default constructor, so ``paramwise_cfg`` works per branch.

    Example:
        >>> optim_wrapper = dict(
        ...     constructor='mmiekd.BranchOptimWrapperConstructor',
        ...     net1=dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.1)),
        ...     net2=dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.1)))
    """

    def __init__(self, optim_wrapper_cfg: dict, paramwise_cfg=None):
        if paramwise_cfg is not None:
            raise ValueError('BranchOptimWrapperConstructor: put `paramwise_cfg` inside each branch\'s config')
        self.branch_cfgs = optim_wrapper_cfg

    def __call__(self, model) -> OptimWrapperDict:
        model = model.module if is_model_wrapper(model) else model
        if not hasattr(model, 'branch_modules'):
            raise TypeError(f'BranchOptimWrapperConstructor needs a model with branches (IE-DML), got '
                            f'{type(model).__name__}')
        names = set(model.branch_names)
        if set(self.branch_cfgs) != names:
            raise KeyError(f'`optim_wrapper` must have one config per branch {sorted(names)}, got '
                           f'{sorted(self.branch_cfgs)}')
        wrappers = {}
        for name, cfg in self.branch_cfgs.items():
            cfg = dict(cfg)
            paramwise_cfg = cfg.pop('paramwise_cfg', None)
            wrappers[name] = DefaultOptimWrapperConstructor(cfg, paramwise_cfg)(model.branch_modules(name))
        return OptimWrapperDict(**wrappers)
