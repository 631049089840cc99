"""Step cost of a distillation recipe against its student trained alone, on the same synthetic batch.

    python tools/analysis_tools/benchmark_distill.py CONFIG [--iters 10] [--warmup 2] [--batch 2]
        [--size 320 320] [--device cpu|cuda] [--teacher-dtype fp32|bf16|fp16] [--swap-prob P] [--json OUT.json]

Builds the recipe's distiller (without its teacher checkpoint: timing does not depend on the weights) and
the same student alone with identical weights, then times full training steps (forward, backward, SGD
update) of both, alternating, after warm-up. Prints median seconds per step, their ratio, and the *limit* a
distillation step is compared with: the student's step plus what the method must add to it at least (the
teacher's forward of the distilled modules), each part measured in the same run. Per method:

* single-teacher recipes (KD, FitNet...): limit = student step + teacher forward.
* IE-KD: the limit with the teacher only, and with the method's own modules too (the IE encoders' forward
  and backward on the recorded features); phase 2 is timed, phase 1 (the auto-encoder) is a one-off.
* SSKD: every stage and the head phase, each with the teacher's forward as that stage runs it.
* IAKD: the swap probability, how many blocks were swapped, and limit = student step + the forward of the
  teacher blocks swapped in each step.
* IE-DML: the two networks each trained alone; limit = both of their steps.

See docs/benchmark.md for the definitions.
"""
import argparse
import contextlib
import inspect
import json
import os.path as osp
import resource
import statistics
import sys
import time
import warnings
from typing import Callable, Dict, List

import torch

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, ROOT)
sys.path.insert(0, osp.join(ROOT, 'tools'))

from mmengine.config import DictAction  # noqa: E402
from mmengine.optim import OptimWrapper, OptimWrapperDict  # noqa: E402

from mmiekd.analysis import synthetic_batch  # noqa: E402
from mmiekd.registry import MODELS  # noqa: E402
from mmiekd.utils import load_model_cfg, with_build_scopes  # noqa: E402

MB = 2**20
# --teacher-dtype -> the distillers' `teacher_precision` argument.
TEACHER_PRECISIONS = {'fp32': None, 'bf16': 'bf16', 'fp16': 'fp16'}


# ---------------------------------------------------------------------------------------------- building
def accepts_argument(cls: type, name: str) -> bool:
    """Whether ``cls(..., name=...)`` is accepted: follows ``**kwargs`` up the MRO to the ``__init__`` that
    consumes them (IAKDDistiller passes its ``**kwargs`` on to SingleTeacherDistiller)."""
    for klass in cls.__mro__:
        if '__init__' not in vars(klass):
            continue
        params = inspect.signature(klass.__init__).parameters
        if name in params:
            return True
        if not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
            return False
    return False


def method_of(distiller) -> str:
    """The method family of a distiller (class or instance), as the distiller names it."""
    method = getattr(distiller, 'method', None)
    if method is None:
        raise TypeError(f'{getattr(distiller, "__name__", type(distiller).__name__)} is not an mmiekd distiller')
    return method


def distiller_class(model_cfg: dict) -> type:
    obj_type = model_cfg['type']
    if isinstance(obj_type, type):
        return obj_type
    scope = model_cfg.get('_scope_')
    cls = MODELS.get(f'{scope}.{obj_type}' if scope and '.' not in obj_type else obj_type)
    if cls is None:
        raise SystemExit(f'model type {obj_type!r} is not registered')
    return cls


def distiller_cfg(cfg, args, cls: type) -> dict:
    """The recipe's model config without the teacher checkpoint, with ``--teacher-dtype`` applied."""
    model_cfg = dict(cfg.model)
    if accepts_argument(cls, 'teacher_ckpt'):
        model_cfg['teacher_ckpt'] = None  # timing does not depend on the weights; no download, no file
    if cfg.get('data_preprocessor'):
        model_cfg.setdefault('data_preprocessor', cfg.data_preprocessor)
    if args.teacher_dtype is not None:
        if not accepts_argument(cls, 'teacher_precision'):
            if args.teacher_dtype == 'fp32':
                return model_cfg  # fp32 is what a distiller without the argument runs anyway
            raise SystemExit(f'--teacher-dtype {args.teacher_dtype}: {cls.__name__} has no `teacher_precision` '
                             'argument (its teacher always runs in fp32); run without --teacher-dtype')
        model_cfg['teacher_precision'] = TEACHER_PRECISIONS[args.teacher_dtype]
    return model_cfg


def build_alone(cfg, model_cfg: dict, distiller, name: str, device: str):
    """Network ``name`` of the distiller (``'student'``, ``'net1'``...) built on its own, same weights."""
    net_cfg = load_model_cfg(model_cfg[name], name)
    if cfg.get('data_preprocessor'):
        net_cfg.setdefault('data_preprocessor', cfg.data_preprocessor)
    net = MODELS.build(net_cfg).to(device)
    net.load_state_dict(getattr(distiller, name).state_dict())
    return net.train()


def sgd(params) -> OptimWrapper:
    return OptimWrapper(torch.optim.SGD([p for p in params if p.requires_grad], lr=1e-4))


def optimizer_of(distiller):
    """What the runner would give the distiller: one wrapper, or one per branch (IE-DML)."""
    if hasattr(distiller, 'branch_names'):
        return OptimWrapperDict(**{n: sgd(distiller.branch_modules(n).parameters())
                                   for n in distiller.branch_names})
    return sgd(distiller.parameters())


def recipe_swap_prob(cfg, distiller) -> float:
    """The probability IAKD training starts with: the swap hook's ``p_start``, else the distiller's own."""
    for hook in cfg.get('custom_hooks') or []:
        if str(hook.get('type', '')).endswith('IAKDSwapHook') and 'p_start' in hook:
            return float(hook['p_start'])
    return float(distiller.swap_prob)


# ---------------------------------------------------------------------------------------------- timing
class StepTimer:
    """Times calls (synchronising CUDA); on CUDA also keeps the peak GPU memory of each kind of call.

    The peak statistics are reset before every call, so the peak of a student-alone step and that of a
    distillation step are told apart although they alternate. Both networks stay resident throughout: the
    memory a step adds over what was allocated when it started is kept beside the absolute peak.
    """

    def __init__(self, device: str):
        self.device = device
        self.memory: Dict[str, Dict[str, float]] = {}

    def __call__(self, name: str, fn: Callable[[], None]) -> float:
        cuda = self.device == 'cuda'
        if cuda:
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
            resident = torch.cuda.memory_allocated()
        start = time.perf_counter()
        fn()
        if cuda:
            torch.cuda.synchronize()
        elapsed = time.perf_counter() - start
        if cuda:
            peak = torch.cuda.max_memory_allocated()
            seen = self.memory.setdefault(name, dict(peak_mb=0., step_mb=0.))
            seen['peak_mb'] = max(seen['peak_mb'], peak / MB)
            seen['step_mb'] = max(seen['step_mb'], (peak - resident) / MB)
        return elapsed


def measure(timer: StepTimer, components: Dict[str, Callable[[], None]], warmup: int,
            iters: int) -> Dict[str, List[float]]:
    """Runs the components in order, ``warmup + iters`` times; returns the timed seconds of each.

    Alternating (rather than timing one model's steps, then the other's) exposes both to the same machine
    load, which matters on a shared machine.
    """
    times: Dict[str, List[float]] = {name: [] for name in components}
    for i in range(warmup + iters):
        for name, fn in components.items():
            elapsed = timer(name, fn)
            if i >= warmup:
                times[name].append(elapsed)
    return times


def median(values: List[float]) -> float:
    return statistics.median(values) if values else 0.


def ratios(step_s: float, student_s: float, limit_s: float, suffix: str = '') -> dict:
    return {f'limit{suffix}_ratio': limit_s / student_s, f'over_limit{suffix}': step_s / limit_s - 1}


def memory_fields(timer: StepTimer, device: str, kinds=('student', 'distill')) -> dict:
    """Peak memory: per kind of step on CUDA (see :class:`StepTimer`), the process's peak RSS on CPU.

    On CPU only the process-wide peak exists (``ru_maxrss`` never decreases), which covers both models,
    the distillation step and everything run before in the same process.
    """
    if device != 'cuda':
        return dict(peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    fields = dict(peak_memory_mb=max(m['peak_mb'] for m in timer.memory.values()))
    for kind in kinds:
        fields[f'{kind}_peak_memory_mb'] = timer.memory[kind]['peak_mb']
        fields[f'{kind}_step_memory_mb'] = timer.memory[kind]['step_mb']
    return fields


class Bench:
    """What every measurement shares: the models, the batch, the optimizers and the timer."""

    def __init__(self, args, cfg, distiller, alone: dict):
        self.args = args
        self.cfg = cfg
        self.distiller = distiller
        self.alone = alone
        first = getattr(distiller, next(iter(alone)))
        self.batch = synthetic_batch(first, args.batch, args.size)
        self.data = distiller.data_preprocessor(self.batch, True)
        self.timer = StepTimer(args.device)
        self.alone_optims = {name: sgd(net.parameters()) for name, net in alone.items()}
        self.swap_prob_source = None  # IAKD: 'recipe' or '--swap-prob'

    def distill_step(self) -> Callable[[], None]:
        """A distiller step with a fresh optimizer (SSKD's trainable parameters change with the stage)."""
        optim = optimizer_of(self.distiller)
        return lambda: self.distiller.train_step(self.batch, optim)

    def alone_step(self, name: str) -> Callable[[], None]:
        return lambda: self.alone[name].train_step(self.batch, self.alone_optims[name])

    def run(self, components) -> Dict[str, List[float]]:
        return measure(self.timer, components, self.args.warmup, self.args.iters)

    def common(self) -> dict:
        args = self.args
        return dict(config=args.config, method=method_of(self.distiller),
                    distiller=type(self.distiller).__name__, device=args.device, batch=args.batch,
                    size=list(args.size), iters=args.iters, warmup=args.warmup, teacher_dtype=self.teacher_dtype())

    def teacher_dtype(self) -> str:
        precision = self.cfg.model.get('teacher_precision') if self.args.teacher_dtype is None \
            else TEACHER_PRECISIONS[self.args.teacher_dtype]
        return precision or 'fp32'


# ---------------------------------------------------------------------------------------------- methods
def bench_teacher_based(bench: Bench) -> dict:
    """Single-teacher recipes, IE-KD and IAKD: one distiller step against one student step."""
    distiller, data = bench.distiller, bench.data
    method = method_of(distiller)
    components = {'distill': bench.distill_step(), 'student': bench.alone_step('student')}
    draws: List[List[bool]] = []
    if method == 'iakd':
        own_step = components['distill']

        def distill_and_record_swaps():
            own_step()
            draws.append(list(distiller.swapped))  # the draw of this step, for its limit

        components['distill'] = distill_and_record_swaps
    # IAKD without extra terms never runs the teacher as a whole: nothing to add to its limit.
    if distiller.needs_teacher:
        def teacher_forward():
            distiller.run_teacher(data['inputs'], data['data_samples'])
            distiller.recorders['teacher'].clear()

        components['teacher'] = teacher_forward
    if method == 'iekd':
        components['method'] = iekd_method_step(distiller, data)
    if method == 'iakd':
        components.update(iakd_block_forwards(distiller, data))

    times = bench.run(components)
    step_s, student_s = median(times['distill']), median(times['student'])
    teacher_s = median(times.get('teacher', []))
    result = dict(bench.common(), distill_s=step_s, student_s=student_s, teacher_forward_s=teacher_s,
                  ratio=step_s / student_s)
    limit_s = student_s + teacher_s
    if method == 'iakd':
        result.update(iakd_fields(bench, distiller, times, draws[bench.args.warmup:]))
        limit_s += result['swapped_blocks_forward_s']
    result.update(ratios(step_s, student_s, limit_s))
    if method == 'iekd':
        result['method_s'] = median(times['method'])
        result['method_share'] = result['method_s'] / step_s
        result.update(ratios(step_s, student_s, limit_s + result['method_s'], '_with_method'))
    result.update(memory_fields(bench.timer, bench.args.device))
    return result


def iekd_method_step(distiller, data) -> Callable[[], None]:
    """IE-KD's own cost in a phase-2 step: its losses (the teacher auto-encoder's encoding, the inheritance
    and exploration encoders, and any extra ``distill`` terms) forward and backward, on features recorded
    once from this batch.

    The recorded outputs are detached leaves, so the backward stops at the student's features: what flows
    on into the student is part of the student's own backward. The gradients are returned, not accumulated,
    so the distiller's next step is unaffected.
    """
    inputs, samples = data['inputs'], data['data_samples']
    student_rec, teacher_rec = distiller.recorders['student'], distiller.recorders['teacher']
    distiller.run_teacher(inputs, samples)
    with torch.no_grad(), student_rec.recording():
        distiller.student(inputs, samples, mode='loss')
    student_out = {name: _leaves(student_rec.get(name)) for name in student_rec.names}
    teacher_out = {name: teacher_rec.get(name) for name in teacher_rec.names}
    student_rec.clear()
    teacher_rec.clear()
    trainable = [p for name, p in distiller.named_parameters()
                 if p.requires_grad and not name.startswith(('student.', 'teacher.'))]
    features = [t for out in student_out.values() for t in _tensors(out) if t.requires_grad]

    def step():
        with student_rec.replaying(student_out), teacher_rec.replaying(teacher_out):
            losses = distiller.distill_losses_of_step()
        total = sum(losses.values())
        if torch.is_tensor(total) and total.requires_grad:
            torch.autograd.grad(total, features + trainable, allow_unused=True)

    return step


def iedml_method_step(distiller, data) -> Callable[[], None]:
    """IE-DML's own cost in a step: :meth:`IEDMLDistiller.mutual_losses_of_step` (both auto-encoders' encoding,
    decoding and reconstruction, the four encoders and the IE and DML terms) forward and backward, on both
    networks' outputs recorded once from this batch as detached leaves (what flows on into the networks is part
    of their own backward); the gradients are returned, not accumulated."""
    inputs, samples = data['inputs'], data['data_samples']
    recorded = {}
    for name in distiller.branch_names:
        recorder = distiller.recorders[name]
        with torch.no_grad(), recorder.recording():
            getattr(distiller, name)(inputs, samples, mode='loss')
        recorded[name] = {n: _leaves(recorder.get(n)) for n in recorder.names}
        recorder.clear()
    trainable = [p for p in distiller.ie_heads.parameters() if p.requires_grad]
    features = [t for outs in recorded.values() for out in outs.values() for t in _tensors(out) if t.requires_grad]

    def step():
        with contextlib.ExitStack() as replay:
            for name in distiller.branch_names:
                replay.enter_context(distiller.recorders[name].replaying(recorded[name]))
            mutual = distiller.mutual_losses_of_step()
        total = sum(v for terms in mutual.values() for v in terms.values())
        torch.autograd.grad(total, features + trainable, allow_unused=True)

    return step


def _tensors(output) -> List[torch.Tensor]:
    if torch.is_tensor(output):
        return [output]
    return [t for item in output for t in _tensors(item)] if isinstance(output, (tuple, list)) else []


def _leaves(output):
    if torch.is_tensor(output):
        return output.detach().requires_grad_(output.is_floating_point())
    if isinstance(output, (tuple, list)):
        return type(output)(_leaves(item) for item in output)
    return output


def iakd_block_forwards(distiller, data) -> Dict[str, Callable[[], None]]:
    """One component per swappable block: the teacher block's forward (no grad) on its input for this batch.

    A swapped teacher block receives the student's feature through the in-connector, which has the shape of
    the teacher's own input to that block (checked at build), so the teacher's own inputs are recorded.
    """
    inputs = {}
    handles = []
    for index, block in enumerate(distiller.blocks):
        def record(module, args, index=index):
            inputs[index] = args
        handles.append(distiller.teacher.get_submodule(block['teacher']).register_forward_pre_hook(record))
    try:
        with torch.no_grad():
            distiller.teacher.extract_feat(distiller.teacher_input(data['inputs']))
    finally:
        for handle in handles:
            handle.remove()

    def forward(index):
        module = distiller.teacher.get_submodule(distiller.blocks[index]['teacher'])

        def run():
            with torch.no_grad():
                module(*inputs[index])

        return run

    return {f'block{i}': forward(i) for i in range(len(distiller.blocks))}


def iakd_fields(bench: Bench, distiller, times, draws: List[List[bool]]) -> dict:
    """Swap statistics of the timed steps and the mean forward cost of the teacher blocks they swapped."""
    num_blocks = len(distiller.blocks)
    block_s = [times[f'block{i}'] for i in range(num_blocks)]
    # Step j's swapped blocks, timed in the same iteration j.
    swapped_s = [sum(block_s[b][j] for b in range(num_blocks) if draw[b]) for j, draw in enumerate(draws)]
    return dict(swap_prob=float(distiller.swap_prob), swap_prob_source=bench.swap_prob_source,
                swapped_blocks=sum(sum(draw) for draw in draws), block_draws=num_blocks * len(draws),
                block_forward_s=[median(s) for s in block_s],
                swapped_blocks_forward_s=statistics.mean(swapped_s) if swapped_s else 0.)


def bench_sskd(bench: Bench) -> dict:
    """SSKD: each stage runs both networks up to the stage only; the head phase is the student's step."""
    distiller, inputs = bench.distiller, bench.data['inputs']
    result = dict(bench.common(), stages=[])
    peaks = []
    for index in range(distiller.num_stages + 1):
        distiller.set_stage(index)
        components = {'distill': bench.distill_step(), 'student': bench.alone_step('student')}
        if index < distiller.num_stages:
            components['teacher'] = sskd_teacher_forward(distiller, inputs, index)
        timer = bench.timer = StepTimer(bench.args.device)  # per-stage peaks
        times = bench.run(components)
        step_s, student_s = median(times['distill']), median(times['student'])
        teacher_s = median(times.get('teacher', []))
        stage = dict(stage='head phase' if index == distiller.num_stages else f'stage {index + 1}',
                     step_s=step_s, student_s=student_s, teacher_forward_s=teacher_s, ratio=step_s / student_s)
        stage.update(ratios(step_s, student_s, student_s + teacher_s))
        if bench.args.device == 'cuda':
            stage.update(memory_fields(timer, 'cuda'))
            peaks.append(stage['peak_memory_mb'])
        result['stages'].append(stage)
    if bench.args.device == 'cuda':
        result['peak_memory_mb'] = max(peaks)  # per kind of step: in each stage's entry
    else:
        result.update(memory_fields(bench.timer, 'cpu'))
    return result


def sskd_teacher_forward(distiller, inputs, index: int) -> Callable[[], None]:
    """The teacher's forward exactly as SSKDDistiller.loss runs it in stage ``index``: up to the stage."""
    recorder = distiller.recorders['teacher'][index]

    def run():
        distiller.run_teacher_into(recorder, inputs)
        recorder.clear()

    return run


def bench_iedml(bench: Bench) -> dict:
    """IE-DML has no teacher: both networks learn. Its limit is both networks trained alone; the limit with the
    method adds its own modules (both online auto-encoders, the four encoders, the DML term)."""
    first, second = bench.distiller.branch_names
    times = bench.run({'distill': bench.distill_step(), 'student': bench.alone_step(first),
                       'peer': bench.alone_step(second),
                       'method': iedml_method_step(bench.distiller, bench.data)})
    step_s, student_s, peer_s, method_s = (median(times[k]) for k in ('distill', 'student', 'peer', 'method'))
    result = dict(bench.common(), distill_s=step_s, student_s=student_s, peer_s=peer_s, ratio=step_s / student_s,
                  method_s=method_s, method_share=method_s / step_s)
    result.update(ratios(step_s, student_s, student_s + peer_s))
    result.update(ratios(step_s, student_s, student_s + peer_s + method_s, '_with_method'))
    result.update(memory_fields(bench.timer, bench.args.device, kinds=('student', 'peer', 'distill')))
    return result


# ---------------------------------------------------------------------------------------------- report
def print_report(result: dict) -> None:
    print(f"{osp.basename(result['config'])}  ({result['distiller']}, {result['device']}, "
          f"{result['batch']}x{result['size'][0]}x{result['size'][1]}, median of {result['iters']}, "
          f"teacher {result['teacher_dtype']})")
    method = result['method']
    if method == 'sskd':
        for s in result['stages']:
            print(f"  {s['stage']:<11} step {s['step_s']:.4f} s   student step {s['student_s']:.4f} s   "
                  f"teacher forward {s['teacher_forward_s']:.4f} s   ratio {s['ratio']:.3f}x   "
                  f"limit {s['limit_ratio']:.3f}x ({100 * s['over_limit']:+.1f}%)")
        print('  (limit = full student step + the stage\'s teacher forward; a stage runs only part of the '
              'student, so its step can be below it)')
    elif method == 'iedml':
        print(f"  net1 alone step     {result['student_s']:.4f} s")
        print(f"  net2 alone step     {result['peer_s']:.4f} s")
        print(f"  mutual step         {result['distill_s']:.4f} s   ratio {result['ratio']:.3f}x (to net1 alone)")
        print(f"  limit               {result['limit_ratio']:.3f}x (both networks trained alone); "
              f"mutual step {100 * result['over_limit']:+.1f}% against it")
        print(f"  IE-DML modules      {result['method_s']:.4f} s ({100 * result['method_share']:.1f}% of the mutual "
              f"step, {100 * result['method_s'] / (result['student_s'] + result['peer_s']):.1f}% of the two steps "
              f"alone)   limit with them {result['limit_with_method_ratio']:.3f}x; mutual step "
              f"{100 * result['over_limit_with_method']:+.1f}% against it")
    else:
        print(f"  student step        {result['student_s']:.4f} s")
        print(f"  distillation step   {result['distill_s']:.4f} s   ratio {result['ratio']:.3f}x")
        if method == 'iakd':
            print(f"  swap prob           {result['swap_prob']:.2f} ({result['swap_prob_source']}); "
                  f"{result['swapped_blocks']} of {result['block_draws']} block draws swapped in the timed steps")
            blocks = ', '.join(f'{s:.4f}' for s in result['block_forward_s'])
            print(f"  teacher blocks      {result['swapped_blocks_forward_s']:.4f} s per step swapped "
                  f"(mean; each block's forward: {blocks} s)")
        teacher = 'teacher forward' if result['teacher_forward_s'] or method != 'iakd' else 'teacher (not run)'
        limit_parts = 'student step + teacher forward' + (' + swapped blocks' if method == 'iakd' else '')
        print(f"  {teacher:<19} {result['teacher_forward_s']:.4f} s   limit {result['limit_ratio']:.3f}x "
              f"({limit_parts}); distillation {100 * result['over_limit']:+.1f}% against it")
        if method == 'iekd':
            print(f"  IE-KD modules       {result['method_s']:.4f} s ({100 * result['method_share']:.1f}% of the "
                  f"distillation step, {100 * result['method_s'] / result['student_s']:.1f}% of a student step)   "
                  f"limit with them "
                  f"{result['limit_with_method_ratio']:.3f}x (+ the method's losses forward/backward); distillation "
                  f"{100 * result['over_limit_with_method']:+.1f}% against it")
    if result['device'] == 'cuda':
        per_stage = method == 'sskd'
        print(f"  peak memory         {result['peak_memory_mb']:.0f} MB GPU allocated; per kind of step (+ = over "
              f"what was resident at the step's start){':' if per_stage else ''}"
              f"{'' if per_stage else ' ' + _step_memory(result)}")
        for stage in result['stages'] if per_stage else []:
            print(f"    {stage['stage']:<11} {_step_memory(stage)}")
    else:
        print(f"  peak memory         {result['peak_rss_mb']:.0f} MB (process RSS)")


def _step_memory(fields: dict) -> str:
    kinds = [k[:-len('_peak_memory_mb')] for k in fields if k.endswith('_peak_memory_mb')]
    return ', '.join(f"{k} step {fields[f'{k}_peak_memory_mb']:.0f} MB (+{fields[f'{k}_step_memory_mb']:.0f})"
                     for k in kinds)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config')
    parser.add_argument('--iters', type=int, default=10, help='timed steps of each model')
    parser.add_argument('--warmup', type=int, default=2, help='untimed steps first')
    parser.add_argument('--batch', type=int, default=2)
    parser.add_argument('--size', type=int, nargs=2, default=[320, 320], metavar=('H', 'W'))
    parser.add_argument('--device', default='cpu', choices=['cpu', 'cuda'])
    parser.add_argument('--teacher-dtype', choices=list(TEACHER_PRECISIONS),
                        help='precision of the teacher (the distiller\'s `teacher_precision`); default: the recipe\'s')
    parser.add_argument('--swap-prob', type=float, help='IAKD: swap probability to time (default: the recipe\'s '
                        'starting probability)')
    parser.add_argument('--json', help='also write the figures to this file')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings, e.g. model.ie.levels=[1,2,3,4]')
    args = parser.parse_args(argv)
    if args.iters < 1 or args.warmup < 0:
        parser.error('--iters must be >= 1 and --warmup >= 0')
    return args


def main(argv=None) -> dict:
    args = parse_args(argv)
    from launch_utils import load_config
    cfg = load_config(argparse.Namespace(config=args.config, cfg_options=args.cfg_options, launcher='none',
                                         work_dir=None))
    cls = distiller_class(cfg.model)
    method = method_of(cls)
    if args.swap_prob is not None and method != 'iakd':
        raise SystemExit(f'--swap-prob applies to IAKD recipes only; {cls.__name__} swaps no blocks')
    model_cfg = distiller_cfg(cfg, args, cls)
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # the missing teacher checkpoint is intended here
        distiller = MODELS.build(with_build_scopes(model_cfg)).to(args.device)
    if hasattr(distiller, 'autoencoder_trained') and not bool(distiller.autoencoder_trained):
        distiller.finish_autoencoder_phase()  # time phase 2 (IE-KD, FT), the student's; phase 1 is a one-off
    names = distiller.branch_names if method == 'iedml' else ('student', )
    alone = {name: build_alone(cfg, model_cfg, distiller, name, args.device) for name in names}
    distiller.train()
    bench = Bench(args, cfg, distiller, alone)
    if method == 'iakd':
        swap_prob = recipe_swap_prob(cfg, distiller) if args.swap_prob is None else args.swap_prob
        distiller.set_swap_prob(swap_prob)
        bench.swap_prob_source = 'recipe' if args.swap_prob is None else '--swap-prob'
    if method == 'sskd':
        result = bench_sskd(bench)
    elif method == 'iedml':
        result = bench_iedml(bench)
    else:
        result = bench_teacher_based(bench)
    print_report(result)
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(result, f, indent=2)
    return result


if __name__ == '__main__':
    main()
