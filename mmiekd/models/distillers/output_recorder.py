"""Records outputs of named submodules with forward hooks.

Two things make this more than a dict filled by hooks:

* **In-place safety.** A recorded tensor is the very tensor the next layer receives; an in-place op there
  (``ReLU(inplace=True)``, ``out += identity``) would change the recorded value. The first recorded forward
  therefore keeps a copy of every output and watches the original's version counter: outputs that were
  modified in place are copied from then on, all others are recorded by reference (no copy). Later
  forwards check the counters again and fail loudly rather than distil a corrupted value.
* **Early exit.** A frozen teacher only has to run until its last recorded module has fired. The first
  forward runs completely and counts the calls of each module (a module shared by FPN levels fires once per
  level); later forwards raise :class:`StopForward` from the hook once every count is reached, which
  :meth:`OutputRecorder.recording` swallows. No head, RPN or post-processing runs for nothing.
"""
from contextlib import contextmanager
from functools import partial
from typing import Dict, Iterable, List, Optional, Tuple, Union

import torch
from torch import nn

Output = Union[torch.Tensor, Tuple[torch.Tensor, ...]]


class StopForward(Exception):
    """Ends a forward pass once every needed output has been recorded."""


def _tensors(output) -> List[torch.Tensor]:
    if isinstance(output, torch.Tensor):
        return [output]
    if isinstance(output, (tuple, list)):
        return [t for t in output if isinstance(t, torch.Tensor)]
    return []


def _copy(output):
    if isinstance(output, torch.Tensor):
        return output.clone()
    if isinstance(output, (tuple, list)):
        return type(output)(_copy(t) for t in output)
    return output


def check_module_name(model: nn.Module, name: str, key: str, role: str) -> None:
    """Raises a KeyError naming ``key`` if ``name`` is not in ``model.named_modules()``."""
    names = [n for n, _ in model.named_modules()]
    if name in names:
        return
    similar = [n for n in names if n and (name in n or n in name)][:6]
    raise KeyError(f'`{key}`: the {role} has no module named "{name}"'
                   + (f'; similar names: {similar}' if similar else '')
                   + '. Use names from model.named_modules(), e.g. "neck", "backbone.layer3".')


class OutputRecorder:
    """Forward-hook recorder for submodules named as in ``model.named_modules()``.

    Args:
        model (nn.Module): The model whose submodules are recorded.
        names (Iterable[str]): Module names, e.g. ``'neck'``, ``'backbone.layer3'``.
        stop_early (bool): Raise :class:`StopForward` once all outputs are in (teacher side).
        role (str): ``'student'`` or ``'teacher'``, used in error messages.
        key (str): The config key the names come from, used in error messages.
        calls_per_forward (int, optional): How often each module runs per forward, when known (a backbone
            stage: 1). Early exit then starts with the first forward instead of after a full one.

    Raises:
        KeyError: A name is not a submodule of ``model``.
    """

    def __init__(self, model: nn.Module, names: Iterable[str], stop_early: bool = False,
                 role: str = 'student', key: str = 'distill', calls_per_forward: Optional[int] = None):
        self.names = list(dict.fromkeys(names))
        self.stop_early = stop_early
        self.role = role
        modules = dict(model.named_modules())
        for name in self.names:
            check_module_name(model, name, key, role)
        self._outputs: Dict[str, list] = {n: [] for n in self.names}
        self._replay: Optional[Dict[str, Output]] = None
        self._watch: List[Tuple[str, torch.Tensor, int]] = []
        self._copied = set(self.names)  # until the first forward shows which outputs are safe
        self._probed = False
        self._expected_calls: Dict[str, int] = {}
        if calls_per_forward is not None:
            self._expected_calls = {n: calls_per_forward for n in self.names}
        self._active = False
        self._handles = [modules[n].register_forward_hook(partial(self._hook, n)) for n in self.names]

    def _hook(self, name: str, module: nn.Module, inputs, output):
        if not self._active:
            return None
        for tensor in _tensors(output):
            self._watch.append((name, tensor, tensor._version))
        self._outputs[name].append(_copy(output) if name in self._copied else output)
        if self.stop_early and self._expected_calls and all(
                len(self._outputs[n]) >= self._expected_calls[n] for n in self.names):
            raise StopForward
        return None

    @contextmanager
    def recording(self):
        """Records the outputs of the forward passes run inside the block.

        A :class:`StopForward` raised by this recorder's early exit ends the block silently.
        """
        for outputs in self._outputs.values():
            outputs.clear()
        self._watch.clear()
        self._active = True
        try:
            yield self
        except StopForward:
            pass
        finally:
            self._active = False
        self._check_in_place()

    def _check_in_place(self):
        modified = {name for name, tensor, version in self._watch if tensor._version != version}
        self._watch.clear()
        if not self._probed:
            self._probed = True
            self._copied = modified
            if not self._expected_calls:
                self._expected_calls = {n: len(v) for n, v in self._outputs.items()}
            return
        broken = sorted(modified - self._copied)
        if broken:
            self._copied |= modified  # from now on these are copied; this step's values are lost
            raise RuntimeError(
                f'The recorded {self.role} output(s) {broken} were modified in place after they were '
                'recorded (an in-place op ran that did not run in the first iteration). They are copied '
                'from now on; re-run the step.')

    def get(self, name: str) -> Output:
        """The output of ``name`` in the last recorded forward.

        Returns:
            The module's output if it ran once; a tuple of its outputs (one per call, e.g. per FPN level)
            if it ran several times.
        """
        if self._replay is not None:
            return self._replay[name]
        outputs = self._outputs[name]
        if not outputs:
            raise RuntimeError(f'The {self.role} module "{name}" did not run in the last forward pass')
        return outputs[0] if len(outputs) == 1 else tuple(outputs)

    @contextmanager
    def replaying(self, outputs: Dict[str, Output]):
        """Within this block, :meth:`get` returns ``outputs[name]`` instead of the recorded outputs (the
        speed tool times a method's own modules on outputs recorded once)."""
        self._replay = dict(outputs)
        try:
            yield self
        finally:
            self._replay = None

    def cast(self, dtype: torch.dtype) -> None:
        """Casts the recorded floating-point outputs to ``dtype`` (a teacher run in half precision)."""
        def convert(output):
            if isinstance(output, torch.Tensor):
                return output.to(dtype) if output.is_floating_point() else output
            if isinstance(output, (tuple, list)):
                return type(output)(convert(t) for t in output)
            return output
        for outputs in self._outputs.values():
            outputs[:] = [convert(o) for o in outputs]

    def clear(self):
        """Drops the references to recorded outputs, so they are freed with the step's graph."""
        for outputs in self._outputs.values():
            outputs.clear()

    def remove(self):
        """Removes the hooks."""
        for handle in self._handles:
            handle.remove()
        self._handles = []


@contextmanager
def evaluating(module: nn.Module):
    """Eval mode and no grad inside the block (BN statistics stay untouched); every submodule's own mode is
    restored afterwards, so a frozen teacher stays in eval mode."""
    modes = {m: m.training for m in module.modules()}
    module.eval()
    try:
        with torch.no_grad():
            yield module
    finally:
        for m, training in modes.items():
            m.training = training


def probe_outputs(model: nn.Module, names: Iterable[str], inputs: torch.Tensor) -> Dict[str, Output]:
    """Runs ``model`` once on ``inputs`` (eval mode, no grad) until every module in ``names`` has run.

    Distillers use it at build time to check shapes before the first iteration. The forward stops as soon as
    all outputs are in, so heads and post-processing never run. If the model cannot run on the dummy input
    before then, the outputs found so far are returned: the step-time checks still apply to the rest.

    Args:
        model (nn.Module): A student or teacher.
        names (Iterable[str]): Module names (already checked to exist).
        inputs (Tensor): A dummy batch, e.g. (1, 3, 64, 64) zeros.

    Returns:
        dict: ``{name: output of its first call}``.
    """
    names = list(dict.fromkeys(names))
    modules = dict(model.named_modules())
    found: Dict[str, Output] = {}

    def hook(name, module, args, output):
        found.setdefault(name, output)
        if len(found) == len(names):
            raise StopForward

    handles = [modules[n].register_forward_hook(partial(hook, n)) for n in names]
    try:
        with evaluating(model):
            model(inputs, None, mode='tensor')
    except StopForward:
        pass
    except Exception:  # noqa: BLE001  (a model that needs real data samples: checked at the first step)
        pass
    finally:
        for handle in handles:
            handle.remove()
    return found
