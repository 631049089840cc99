"""Data-parallel training whose trainable parameters change during the run (SSKD's stages)."""
from mmengine.model import MMDistributedDataParallel
from torch import nn

from mmiekd.registry import MODEL_WRAPPERS


@MODEL_WRAPPERS.register_module()
class StageDistributedDataParallel(nn.Module):
    """MMEngine's ``MMDistributedDataParallel`` over the parameters that train *now*, built again (by the
    wrapper itself) when that set changes.

    PyTorch's DDP reduces the gradients of the parameters that required grad when it was built. SSKD trains
    one backbone stage at a time, then the head: each boundary changes that set. Select this wrapper with
    ``model_wrapper_cfg = dict(type='mmiekd.StageDistributedDataParallel')`` (the SSKD recipes do; without
    a distributed launch the runner does not wrap and it is not used): ``runner.model`` stays this object for
    the whole run, and before each training step it compares which parameters require grad with what its inner
    DDP was built for, building a new one (which broadcasts rank 0's weights and buffers, as at the start) when
    they differ. All ranks change stage at the same iteration (the stage follows from the iteration), so the
    rebuild, a collective, happens on all of them together. No ``find_unused_parameters`` is needed: frozen
    stages, and the stages after the current one that do not run, are not in the inner DDP.

    Args:
        module (nn.Module): The model (an :class:`mmiekd.SSKDDistiller`, or any model whose trainable parameters
            change).
        **kwargs: Arguments of the inner ``MMDistributedDataParallel`` (default ``broadcast_buffers=False``, as
            MMEngine's default wrapper; ``device_ids``: default the model's GPU, ``None`` on CPU).
    """

    def __init__(self, module: nn.Module, **kwargs):
        super().__init__()
        self.module = module
        kwargs.setdefault('broadcast_buffers', False)
        self.ddp_kwargs = kwargs
        # Kept out of nn.Module's registry: the inner DDP holds ``module`` too, whose weights must appear once.
        self._inner = dict(ddp=None, trainable=None)
        #: How many times the inner DDP was built (once per change of the trainable set).
        self.builds = 0

    @property
    def find_unused_parameters(self) -> bool:
        return bool(self.ddp_kwargs.get('find_unused_parameters', False))

    @property
    def parameters_to_ignore(self):
        """What the inner DDP leaves alone (the frozen teacher)."""
        return getattr(self.module, '_ddp_params_and_buffers_to_ignore', [])

    @property
    def ddp(self) -> MMDistributedDataParallel:
        """The inner DDP for the parameters that require grad now (built again if they changed)."""
        trainable = tuple(p.requires_grad for p in self.module.parameters())
        if self._inner['ddp'] is None or trainable != self._inner['trainable']:
            kwargs = dict(self.ddp_kwargs)
            if 'device_ids' not in kwargs:  # the device the model is on (None on CPU)
                first = next(self.module.parameters(), None)
                kwargs['device_ids'] = [first.device.index] if first is not None and first.is_cuda else None
            self._inner.update(ddp=MMDistributedDataParallel(module=self.module, **kwargs), trainable=trainable)
            self.builds += 1
        return self._inner['ddp']

    def train_step(self, data, optim_wrapper) -> dict:
        return self.ddp.train_step(data, optim_wrapper)

    def val_step(self, data) -> list:
        return self.module.val_step(data)

    def test_step(self, data) -> list:
        return self.module.test_step(data)

    def forward(self, *args, **kwargs):
        return self.ddp(*args, **kwargs)
