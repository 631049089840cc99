"""mmiekd's registries: children of MMEngine's roots, scope ``mmiekd``.

Each registry names the package that fills it (``locations=``), so MMEngine imports our modules lazily the
first time a type of ours is looked up, without any ``custom_imports``.
"""
from mmengine.registry import DATASETS as MMENGINE_DATASETS
from mmengine.registry import HOOKS as MMENGINE_HOOKS
from mmengine.registry import LOOPS as MMENGINE_LOOPS
from mmengine.registry import MODEL_WRAPPERS as MMENGINE_MODEL_WRAPPERS
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import OPTIM_WRAPPER_CONSTRUCTORS as MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS
from mmengine.registry import OPTIM_WRAPPERS as MMENGINE_OPTIM_WRAPPERS
from mmengine.registry import RUNNERS as MMENGINE_RUNNERS
from mmengine.registry import Registry

MODELS = Registry('model', parent=MMENGINE_MODELS, scope='mmiekd', locations=['mmiekd.models'])
MODEL_WRAPPERS = Registry('model_wrapper', parent=MMENGINE_MODEL_WRAPPERS, scope='mmiekd',
                          locations=['mmiekd.engine.runner'])
HOOKS = Registry('hook', parent=MMENGINE_HOOKS, scope='mmiekd', locations=['mmiekd.engine.hooks'])
LOOPS = Registry('loop', parent=MMENGINE_LOOPS, scope='mmiekd', locations=['mmiekd.engine.runner'])
RUNNERS = Registry('runner', parent=MMENGINE_RUNNERS, scope='mmiekd', locations=['mmiekd.engine.runner'])
OPTIM_WRAPPERS = Registry(
    'optim_wrapper', parent=MMENGINE_OPTIM_WRAPPERS, scope='mmiekd', locations=['mmiekd.engine'])
OPTIM_WRAPPER_CONSTRUCTORS = Registry(
    'optimizer wrapper constructor', parent=MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS, scope='mmiekd',
    locations=['mmiekd.engine'])
DATASETS = Registry('dataset', parent=MMENGINE_DATASETS, scope='mmiekd', locations=['mmiekd.datasets'])
