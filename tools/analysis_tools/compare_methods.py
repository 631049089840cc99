"""Seeded comparison of distillation methods against the student trained alone, on your own data.

    python tools/analysis_tools/compare_methods.py --data-root DIR [--task det|cls] [--methods ...]
        [--seeds N] [--iters N] [--teacher-iters N] [--teacher-ckpt CKPT] [--work-dir DIR] [--jobs N]
        [--batch-size N] [--img-size N] [--student NAME]

``--task det``: DIR is a COCO-format dataset (``annotations/instances_{train,val}2017.json`` with images in
``{train,val}2017/``, or ``instances_{train,val}.json`` with ``{train,val}/``); the class names are read from
the annotations. ``--task cls``: DIR holds ``train/<class>/*`` and ``val/<class>/*`` (mmpretrain's
``CustomDataset``). The models are the tiny recipes of each method (``configs/*/tiny``): the tool changes
their data, classes, iteration budget and seed, nothing else.

Every run trains through ``tools/train.py`` as a user would. The teacher is trained first (once, seed 0,
cached in the work dir) unless ``--teacher-ckpt`` is given. Each method and the student alone train at the
same budget: ``--iters`` iterations of ``--batch-size`` images. The recipes' iteration counts are scaled to
that budget by the same factor (LR warm-up and decay, SSKD stage and head lengths, the end of IAKD's swap
schedule, IE-KD's phase 1). SSKD's stage iterations count in the budget (stages + head = ``--iters``);
IE-KD's phase 1 trains only the teacher's auto-encoder on teacher features and is reported separately
(its iterations and seconds). Runs go side by side, ``--jobs`` at a time (one CPU thread each); as one
ends the next starts; finished runs are not repeated.

Writes ``results.json``, ``results.md`` and ``results.png`` (the metric with its 95 % interval per method,
and the loss curves of every term) in the work dir. The difference to the student alone is paired by seed
(same seed: same initial student weights and data order) and its interval uses the t distribution; the
verdict is "better" only when the whole interval is above 0.

``--student NAME`` names the run that is "the student alone" when the methods compared train another network
than the track's student: IE-DML trains two ResNet-32 mutually, without a teacher, so its reference is ResNet-32
trained alone (``--task cls --student resnet32 --methods iedml``). Runs whose recipe has no teacher neither
wait for nor need the teacher; when no run needs it, it is not trained.
"""
import argparse
import glob
import json
import math
import os
import os.path as osp
import re
import subprocess
import sys
import threading
import time
from datetime import datetime
from typing import Dict, List, Optional, Sequence

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, ROOT)
sys.path.insert(0, osp.dirname(osp.abspath(__file__)))

from analyze_logs import is_loss_key, loss_curves  # noqa: E402

# Per task: the metric (scalar key in MMEngine's logs, scale to %) and each method's tiny recipe.
TASKS = {
    'det': dict(
        metric='coco/bbox_mAP', metric_name='box AP', scale=100.0,
        teacher='configs/_base_/tiny/faster_rcnn_r34c8_shapes.py',
        methods={
            'student': 'configs/_base_/tiny/faster_rcnn_r18c8_shapes.py',
            'fitnet': 'configs/kd/tiny/fitnet_faster_rcnn_tiny_shapes.py',
            'at': 'configs/kd/tiny/at_faster_rcnn_tiny_shapes.py',
            'ft': 'configs/kd/tiny/ft_faster_rcnn_tiny_shapes.py',
            'iekd': 'configs/iekd/tiny/iekd_faster_rcnn_tiny_shapes.py',
            'sskd': 'configs/sskd/tiny/sskd_faster_rcnn_tiny_shapes.py',
            'iakd': 'configs/iakd/tiny/iakd_faster_rcnn_tiny_shapes.py',
        },
        default_methods=['student', 'fitnet', 'iekd', 'sskd', 'iakd']),
    'cls': dict(
        metric='accuracy/top1', metric_name='top-1 accuracy', scale=1.0,
        teacher='configs/_base_/tiny/cifar_resnet56_digits.py',
        methods={
            'student': 'configs/_base_/tiny/cifar_resnet20_digits.py',
            'kd': 'configs/kd/tiny/kd_cifar_resnet56_resnet20_digits.py',
            'at': 'configs/kd/tiny/at_cifar_resnet56_resnet20_digits.py',
            'ft': 'configs/kd/tiny/ft_cifar_resnet56_resnet20_digits.py',
            'iekd': 'configs/iekd/tiny/iekd_cifar_resnet56_resnet20_digits.py',
            'sskd': 'configs/sskd/tiny/sskd_cifar_resnet56_resnet20_digits.py',
            'iakd': 'configs/iakd/tiny/iakd_cifar_resnet56_resnet20_digits.py',
            # IE-DML (no teacher: two ResNet-32 learning from each other) and its student alone (--student).
            'iedml': 'configs/iekd/tiny/iedml_cifar_resnet32_digits.py',
            'resnet32': 'configs/_base_/tiny/cifar_resnet32_digits.py',
        },
        default_methods=['student', 'kd', 'iekd', 'sskd', 'iakd']),
}
OPEN_ENDED = 10**8  # scheduler ends at or above this are "until the end of training"

# Two-sided 95 % quantiles of Student's t distribution by degrees of freedom (1.96 beyond 30).
_T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145,
         2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048,
         2.045, 2.042]


def t_quantile_975(dof: int) -> float:
    """The 0.975 quantile of Student's t distribution with ``dof`` degrees of freedom."""
    if dof < 1:
        raise ValueError(f'degrees of freedom must be >= 1, got {dof}')
    return _T975[dof - 1] if dof <= len(_T975) else 1.96


def mean_std_ci(values: Sequence[float]):
    """Mean, sample standard deviation and the 95 % t interval of the mean (a point for one value)."""
    n = len(values)
    mean = sum(values) / n
    if n == 1:
        return mean, 0.0, [mean, mean]
    std = math.sqrt(sum((v - mean)**2 for v in values) / (n - 1))
    half = t_quantile_975(n - 1) * std / math.sqrt(n)
    return mean, std, [mean - half, mean + half]


def verdict(ci: Sequence[float]) -> str:
    if ci[0] > 0:
        return 'better'
    if ci[1] < 0:
        return 'worse'
    return 'no measurable difference'


def summarise(values: Dict[str, Dict[int, float]], metric: str, student_name: str = 'student') -> dict:
    """``values[method][seed]`` -> the results.json document (see the module docstring); every difference is
    to ``values[student_name]``, the student alone."""
    student = values.get(student_name, {})
    methods = {}
    for name, by_seed in values.items():
        seeds = sorted(by_seed)
        vals = [by_seed[s] for s in seeds]
        mean, std, ci = mean_std_ci(vals)
        entry = dict(seeds=vals, seed_ids=seeds, mean=mean, std=std, ci95=ci)
        if name != student_name and student:
            if name == 'teacher' and len(seeds) == 1:
                # One teacher for all seeds: its gap to each student seed.
                diffs = [vals[0] - student[s] for s in sorted(student)]
            else:
                diffs = [by_seed[s] - student[s] for s in seeds if s in student]
            if diffs:
                d_mean, _, d_ci = mean_std_ci(diffs)
                entry['diff_vs_student'] = dict(mean=d_mean, ci95=d_ci, n=len(diffs))
                entry['verdict'] = verdict(d_ci) if len(diffs) > 1 else 'no measurable difference'
        methods[name] = entry
    return dict(metric=metric, student=student_name, methods=methods)


# ----------------------------------------------------------------------------------------------- configs
def _scale(n: int, factor: float) -> int:
    return max(1, int(round(n * factor)))


def scale_schedule(cfg, iters: int) -> None:
    """Scales every iteration count of an iteration-based recipe to a budget of ``iters`` iterations.

    The budget is the number of iterations trained with the task loss. For every method but SSKD that is the
    whole training loop. SSKD trains with the task loss only in its head phase: the head phase gets the budget,
    and its backbone stages (feature mimicking, no task loss; each stage step runs the two networks only up to
    the stage) come before it, scaled by the same factor, as IE-KD's phase 1 comes before its training; their
    cost is reported beside the result.
    """
    base = cfg.train_cfg.get('max_iters')
    if base is None:
        raise ValueError('compare_methods.py needs iteration-based recipes (train_cfg.max_iters)')
    model = cfg.model
    sskd = 'stages' in model and 'head_length' in model
    factor = iters / (model.head_length if sskd else base)
    total = iters
    if sskd:
        for stage in model.stages:
            stage.length = _scale(stage.length, factor)
        model.head_length = iters
        total = iters + sum(s.length for s in model.stages)
    cfg.train_cfg.max_iters = total
    cfg.train_cfg.val_interval = total
    schedulers = cfg.get('param_scheduler') or []
    for sched in schedulers if isinstance(schedulers, list) else [schedulers]:
        if sched.get('by_epoch', True):
            raise ValueError(f'compare_methods.py scales iteration-based schedulers; {sched} counts epochs')
        for key in ('begin', 'end'):
            if key in sched and sched[key] < OPEN_ENDED:
                sched[key] = min(total, _scale(sched[key], factor)) if sched[key] else 0
        if 'milestones' in sched:
            sched.milestones = [_scale(m, factor) for m in sched.milestones]
    for hook in cfg.get('custom_hooks', []):
        kind = hook.get('type', '').split('.')[-1]
        if kind == 'IAKDSwapHook' and not hook.get('by_epoch', True):
            for key in ('begin', 'end'):
                if hook.get(key):
                    hook[key] = _scale(hook[key], factor)
            if hook.get('milestones'):
                hook['milestones'] = [_scale(m, factor) for m in hook['milestones']]
        if kind == 'IEKDAutoEncoderHook':
            if hook.get('iters'):
                hook['iters'] = _scale(hook['iters'], factor)
            if hook.get('weight_milestones') and not hook.get('by_epoch', True):
                hook['weight_milestones'] = [_scale(m, factor) for m in hook['weight_milestones']]
    cfg.default_hooks.checkpoint.interval = total
    cfg.default_hooks.logger.interval = max(1, min(20, iters // 10))


def _num_classes_overrides(model_cfg, num_classes: int, prefix: str = '') -> dict:
    """``{dotted path: value}`` setting every ``num_classes`` of a model config (lists given whole)."""
    out = {}

    def visit(node, path):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == 'num_classes':
                    out[path + key] = num_classes
                elif isinstance(value, list) and _has_num_classes(value):
                    out[path + key] = [_set_num_classes(v, num_classes) for v in value]
                else:
                    visit(value, f'{path}{key}.')

    visit(model_cfg, prefix)
    return out


def _has_num_classes(node) -> bool:
    if isinstance(node, dict):
        return 'num_classes' in node or any(_has_num_classes(v) for v in node.values())
    if isinstance(node, list):
        return any(_has_num_classes(v) for v in node)
    return False


def _set_num_classes(node, num_classes: int):
    if isinstance(node, dict):
        return {k: (num_classes if k == 'num_classes' else _set_num_classes(v, num_classes))
                for k, v in node.items()}
    if isinstance(node, list):
        return [_set_num_classes(v, num_classes) for v in node]
    return node


def model_num_classes_overrides(cfg, num_classes: int) -> dict:
    """Overrides for the classes of a plain model config or of both networks of a distiller."""
    from mmiekd.utils.model_config import load_model_cfg
    model = cfg.model
    roles = [r for r in ('student', 'teacher', 'net1', 'net2') if r in model]
    if not roles:
        return _num_classes_overrides(model.to_dict(), num_classes, 'model.')
    out = {}
    for role in roles:
        resolved = load_model_cfg(model[role], role).to_dict()
        out.update(_num_classes_overrides(resolved, num_classes, f'model.{role}.'))
    return out


def find_det_layout(root: str) -> dict:
    """The annotation files and image folders of a COCO-format dataset, and its class names."""
    for suffix in ('2017', ''):
        train = osp.join(root, 'annotations', f'instances_train{suffix}.json')
        val = osp.join(root, 'annotations', f'instances_val{suffix}.json')
        if osp.isfile(train) and osp.isfile(val):
            with open(train) as f:
                categories = sorted(json.load(f)['categories'], key=lambda c: c['id'])
            return dict(train_ann=f'annotations/instances_train{suffix}.json', train_img=f'train{suffix}/',
                        val_ann=f'annotations/instances_val{suffix}.json', val_img=f'val{suffix}/',
                        classes=tuple(c['name'] for c in categories))
    raise FileNotFoundError(f'--data-root {root}: no annotations/instances_{{train,val}}2017.json (or '
                            'instances_{train,val}.json) found: expected a COCO-format dataset')


def find_cls_classes(root: str) -> tuple:
    classes = []
    for split in ('train', 'val'):
        folder = osp.join(root, split)
        if not osp.isdir(folder):
            raise FileNotFoundError(f'--data-root {root}: no {split}/ folder (expected {split}/<class>/<image>)')
        found = sorted(d for d in os.listdir(folder) if osp.isdir(osp.join(folder, d)))
        if not found:
            raise FileNotFoundError(f'--data-root {root}: {split}/ has no class folders')
        classes.append(tuple(found))
    if classes[0] != classes[1]:
        raise ValueError(f'--data-root {root}: train/ and val/ have different classes: {classes[0]} vs {classes[1]}')
    return classes[0]


def check_same_classes(train_classes: tuple, val_classes: tuple, train_root: Optional[str]) -> tuple:
    """The classes of a run whose training data may be another dataset than ``--data-root``."""
    if train_root is not None and tuple(train_classes) != tuple(val_classes):
        raise ValueError(f'--teacher-data-root {train_root}: its classes {tuple(train_classes)} are not those of '
                         f'--data-root {tuple(val_classes)}; the teacher must predict the students\' classes')
    return tuple(val_classes)


def _set_resize(pipeline, size: int) -> None:
    for step in pipeline:
        if step.get('type', '').split('.')[-1] == 'Resize':
            step['scale'] = (size, size)


def build_run_config(args, recipe: str, seed: int, iters: int, teacher_ckpt: Optional[str],
                     extra: Optional[dict] = None, validations: int = 1, train_root: Optional[str] = None,
                     batch_size: Optional[int] = None):
    """The recipe's config (with ``extra`` overrides) pointed at this comparison's data, classes, budget and
    seed. ``train_root``, ``batch_size``: the teacher's own training data (``--teacher-data-root``) and batch
    (``--teacher-batch-size``); validation always uses ``args.data_root``'s val split."""
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(ROOT, recipe))
    if extra:
        cfg.merge_from_dict(extra, allow_list_keys=True)
    scale_schedule(cfg, iters)
    val_root = osp.abspath(args.data_root) + '/'
    roots = dict(train=osp.abspath(train_root or args.data_root) + '/', val=val_root)
    loaders = (('train_dataloader', 'train'), ('val_dataloader', 'val'), ('test_dataloader', 'val'))
    if args.task == 'det':
        layouts = dict(train=find_det_layout(roots['train']), val=find_det_layout(val_root))
        classes = check_same_classes(layouts['train']['classes'], layouts['val']['classes'], train_root)
        metainfo = dict(classes=classes)
        for loader, split in loaders:
            dataset = cfg[loader].dataset
            dataset.update(data_root=roots[split], metainfo=metainfo, ann_file=layouts[split][f'{split}_ann'],
                           data_prefix=dict(img=layouts[split][f'{split}_img']))
            if args.img_size:
                _set_resize(dataset.pipeline, args.img_size)
        for evaluator in ('val_evaluator', 'test_evaluator'):
            cfg[evaluator].ann_file = val_root + layouts['val']['val_ann']
    else:
        classes = check_same_classes(find_cls_classes(roots['train']), find_cls_classes(val_root), train_root)
        for loader, split in loaders:
            cfg[loader].dataset.update(data_root=roots[split], data_prefix=split, classes=list(classes))
        if 'data_preprocessor' in cfg and 'num_classes' in cfg.data_preprocessor:
            cfg.data_preprocessor.num_classes = len(classes)
    cfg.train_dataloader.batch_size = batch_size or args.batch_size
    # An endless shuffled stream: MMEngine's iteration loop sleeps 2 s at every epoch end of a finite sampler,
    # which on a small dataset is a large share of a run (200 images of batch 32: 0.3 s per iteration).
    cfg.train_dataloader.sampler = dict(type='InfiniteSampler', shuffle=True)
    overrides = model_num_classes_overrides(cfg, len(classes))
    if teacher_ckpt is not None and not (extra or {}).get('model.teacher_ckpt'):
        overrides['model.teacher_ckpt'] = teacher_ckpt  # a variant may name a teacher of its own
    cfg.merge_from_dict(overrides)
    cfg.randomness = dict(seed=seed)
    # Paired runs: validations (more of them for the student alone) leave the training's random stream alone.
    cfg.custom_hooks = list(cfg.get('custom_hooks') or []) + [dict(type='mmiekd.ValRandomStateHook')]
    total = cfg.train_cfg.max_iters
    cfg.train_cfg.val_interval = total // validations if total % validations == 0 else total
    return cfg


# -------------------------------------------------------------------------------------------------- runs
class Run:
    """One training run: a method at a seed, in ``work_dir/<method>/seed<k>``."""

    def __init__(self, args, method: str, recipe: str, seed: int, iters: int, validations: int = 1,
                 train_root: Optional[str] = None, batch_size: Optional[int] = None):
        self.args, self.method, self.recipe, self.seed, self.iters = args, method, recipe, seed, iters
        # The teacher's own training data and batch (--teacher-data-root, --teacher-batch-size), if any.
        self.train_root, self.batch_size = train_root, batch_size
        # The teacher and the student alone are validated several times: their curves show whether the
        # budget reaches their plateau.
        self.validations = validations
        self.name = f'{method}/seed{seed}'
        self.dir = osp.join(args.work_dir, method, f'seed{seed}')
        self.result_file = osp.join(self.dir, 'result.json')
        self.log_file = osp.join(self.dir, 'train.log')

    @property
    def done(self) -> bool:
        return osp.isfile(self.result_file)

    def result(self) -> dict:
        with open(self.result_file) as f:
            return json.load(f)

    def start(self, teacher_ckpt: Optional[str], threads: int):
        os.makedirs(self.dir, exist_ok=True)
        cfg = build_run_config(self.args, self.recipe, self.seed, self.iters, teacher_ckpt,
                               self.args.overrides.get(self.method), self.validations, self.train_root,
                               self.batch_size)
        config_file = osp.join(self.dir, 'config.py')
        cfg.dump(config_file)
        cmd = [sys.executable, osp.join(ROOT, 'tools', 'train.py'), config_file, '--work-dir', self.dir]
        if glob.glob(osp.join(self.dir, '*.pth')):
            cmd.append('--resume')
        env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get('PYTHONPATH', ''),
                   OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
        self.log = open(self.log_file, 'a')
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT, text=True, env=env)
        self.began = time.time()
        return self.proc

    def finish(self, metric: str, scale: float) -> dict:
        """Reads the run's logs into ``result.json``: final metric, loss curves, step time, phase-1 cost."""
        records = []
        for path in sorted(glob.glob(osp.join(self.dir, '*', 'vis_data', 'scalars.json'))):
            with open(path) as f:
                records += [json.loads(line) for line in f if line.strip()]
        vals = [r[metric] for r in records if metric in r]
        if not vals:
            raise RuntimeError(f'{self.name}: no {metric} in its logs; see {self.log_file}')
        # Training records (IE-DML logs each network's loss, `net1.loss_total`..., and no `loss`).
        train = [r for r in records if 'iter' in r and 'time' in r and any(is_loss_key(k) for k in r)]
        steady = [r['time'] for r in train[len(train) // 5:]] or [r['time'] for r in train]
        curves = loss_curves(train)
        interval = self.iters // len(vals)
        result = dict(method=self.method, seed=self.seed, iters=self.iters, value=scale * vals[-1],
                      val_curve=[[interval * (i + 1), scale * v] for i, v in enumerate(vals)],
                      s_per_iter=sum(steady) / max(1, len(steady)), curves=curves,
                      phase1=phase1_cost(self.log_file),
                      wall_s=time.time() - self.began if hasattr(self, 'began') else None)
        with open(self.result_file, 'w') as f:
            json.dump(result, f)
        return result


_STAMP = re.compile(r'^(\d\d/\d\d \d\d:\d\d:\d\d) - mmengine')


def phase1_cost(log_file: str) -> Optional[dict]:
    """The phase a method runs before its training with the task loss, from a run's log: its iterations and wall
    seconds. IE-KD/FT: phase 1 (auto-encoder training); SSKD: the backbone stages (until the head phase)."""
    begin = end = steps = None
    with open(log_file, errors='replace') as f:
        for line in f:
            stamp = _STAMP.match(line)
            if not stamp:
                continue
            when = datetime.strptime(stamp.group(1), '%m/%d %H:%M:%S')
            if 'phase 1: training the' in line or 'SSKD: stage 1/' in line:
                begin, end = when, None
                found = re.search(r'for (\d+) iterations', line)
                steps = int(found.group(1)) if found else None
            elif begin is not None and 'phase 1 done' in line:
                end = when
            elif begin is not None and 'SSKD: head phase from iteration' in line:
                end = when
                steps = int(re.search(r'iteration (\d+)', line).group(1)) - 1
    if begin is None or end is None:
        return None
    return dict(iters=steps, seconds=(end - begin).total_seconds())


def follow(run: Run, stop: threading.Event) -> None:
    """Shows mmengine's progress lines (with ETA) of a run as they come, prefixed with its name."""
    with open(run.log_file, errors='replace') as f:
        f.seek(0, os.SEEK_END)
        while True:
            line = f.readline()
            if not line:
                if stop.is_set():
                    return
                time.sleep(0.5)
                continue
            if any(k in line for k in ('Iter(train)', 'bbox_mAP:', 'accuracy/top1:', 'phase 1 [', 'SSKD:',
                                       'Error')):
                print(f'    {run.name:>14} | {line.rstrip()[:180]}', flush=True)


def run_all(args, runs: List[Run], teacher: Optional[Run], teacher_ckpt: Optional[str], metric, scale):
    """Runs what is not done yet, ``--jobs`` at a time; distillation runs wait for the teacher."""
    pending = [r for r in runs if not r.done]
    for r in runs:
        if r.done:
            print(f'[compare] {r.name}: done before ({r.result_file})', flush=True)
    total, finished, durations = len(pending), 0, []
    threads = args.threads or max(1, (os.cpu_count() or 1) // args.jobs)
    active, begin = [], time.time()
    teacher_ready = teacher is None or teacher.done
    while pending or active:
        while len(active) < args.jobs:
            ready = [r for r in pending if teacher_ready or not r.needs_teacher]
            if not ready:
                break
            run = ready[0]
            pending.remove(run)
            ckpt = teacher_ckpt if run.needs_teacher else None
            print(f'[compare] {run.name}: training {run.iters} iterations ({run.recipe})', flush=True)
            run.start(ckpt, threads)
            stop = threading.Event()
            follower = threading.Thread(target=follow, args=(run, stop), daemon=True)
            follower.start()
            active.append((run, stop, follower))
        time.sleep(1)
        for item in list(active):
            run, stop, follower = item
            code = run.proc.poll()
            if code is None:
                continue
            stop.set()
            follower.join()
            run.log.close()
            active.remove(item)
            if code != 0:
                for other, other_stop, _ in active:
                    other.proc.terminate()
                raise SystemExit(f'[compare] {run.name} failed (exit {code}); see {run.log_file}')
            result = run.finish(metric, scale)
            finished += 1
            durations.append(time.time() - run.began)
            if run is teacher:
                teacher_ready = True
            left = total - finished
            eta = sum(durations) / len(durations) * math.ceil(left / args.jobs)
            print(f'[compare] {run.name}: {result["value"]:.2f} after {durations[-1] / 60:.1f} min; '
                  f'{finished}/{total} runs done in {(time.time() - begin) / 60:.1f} min, '
                  f'about {eta / 60:.0f} min left', flush=True)


# ------------------------------------------------------------------------------------------------ report
def write_markdown(args, doc: dict, results: Dict[str, List[dict]], path: str, metric_name: str) -> str:
    alone = 'student alone' if args.student == 'student' else f'{args.student} (the student alone)'
    lines = [f'| method | {metric_name} (mean ± std) | 95 % interval | vs {alone} (paired) | verdict | '
             f'seeds | s/iter | run (s) | phase before |', '|---|---|---|---|---|---|---|---|---|']
    for name, entry in doc['methods'].items():
        diff = entry.get('diff_vs_student')
        diff_text = (f"{diff['mean']:+.2f} [{diff['ci95'][0]:+.2f}, {diff['ci95'][1]:+.2f}]" if diff else '-')
        runs = results.get(name, [])
        step = sum(r['s_per_iter'] for r in runs) / max(1, len(runs))
        phases = [r['phase1'] for r in runs if r.get('phase1')]
        phase_text = (f"{phases[0]['iters']} it, {sum(p['seconds'] for p in phases) / len(phases):.0f} s"
                      if phases else '-')
        walls = [r['wall_s'] for r in runs if r.get('wall_s')]
        wall_text = f'{sum(walls) / len(walls):.0f}' if walls else '-'
        lines.append(f"| {name} | {entry['mean']:.2f} ± {entry['std']:.2f} | [{entry['ci95'][0]:.2f}, "
                     f"{entry['ci95'][1]:.2f}] | {diff_text} | {entry.get('verdict', '-')} | "
                     f"{', '.join(f'{v:.2f}' for v in entry['seeds'])} | {step:.3f} | {wall_text} | {phase_text} |")
    budget = (f'Budget: {args.iters} iterations of batch {args.batch_size} with the task loss for every method and '
              f'the student alone; the phase a method runs before them without the task loss (IE-KD/FT phase 1, '
              f'SSKD\'s backbone stages) is shown in its column (iterations, seconds); teacher: '
              + (f'{args.teacher_ckpt}' if args.teacher_ckpt else
                 'none (no method compared distils from one)' if 'teacher' not in doc['methods'] else
                 f'{args.teacher_iters} iterations of batch {args.teacher_batch_size or args.batch_size}, seed 0'
                 + (f', trained on {args.teacher_data_root}' if args.teacher_data_root else ''))
              + f'. Data: {args.data_root}. Intervals: 95 %, t distribution; the difference is paired by seed.')
    curves = []
    for name, runs in doc.get('val_curves', {}).items():
        points = {}
        for curve in runs:
            for step, value in curve:
                points.setdefault(step, []).append(value)
        curves.append(f'- {name} on val during training (mean over its runs): '
                      + ', '.join(f'{sum(v) / len(v):.2f} at {step}' for step, v in sorted(points.items())))
    text = (f'# Method comparison ({doc["metric"]})\n\n{budget}\n\n' + '\n'.join(lines) + '\n'
            + ('\n' + '\n'.join(curves) + '\n' if curves else ''))
    with open(path, 'w') as f:
        f.write(text)
    return text


def plot(doc: dict, results: Dict[str, List[dict]], path: str, metric_name: str) -> None:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    names = list(doc['methods'])
    curves = [n for n in names if results.get(n) and results[n][0]['curves']]
    cols = 3
    rows = 1 + math.ceil(len(curves) / cols)
    fig = plt.figure(figsize=(4.2 * cols, 3.2 * rows))
    ax = fig.add_subplot(rows, 1, 1)
    means = [doc['methods'][n]['mean'] for n in names]
    errs = [[m - doc['methods'][n]['ci95'][0] for n, m in zip(names, means)],
            [doc['methods'][n]['ci95'][1] - m for n, m in zip(names, means)]]
    colours = ['#4a90d9' if n == doc.get('student', 'student') else '#777' if n == 'teacher' else
               {'better': '#3a9a3a', 'worse': '#c0392b'}.get(doc['methods'][n].get('verdict'), '#d5a05b')
               for n in names]
    ax.bar(names, means, yerr=errs, capsize=5, color=colours)
    for i, n in enumerate(names):
        ax.scatter([i] * len(doc['methods'][n]['seeds']), doc['methods'][n]['seeds'], color='k', s=8, zorder=3)
    ax.set_ylabel(metric_name)
    ax.set_title(f'{metric_name} per method: mean, 95 % interval, one dot per seed '
                 '(green: better than the student alone, red: worse)')
    for i, name in enumerate(curves):
        axc = fig.add_subplot(rows, cols, cols + i + 1)
        for key, points in sorted(results[name][0]['curves'].items()):
            xs, ys = zip(*points)
            axc.plot(xs, ys, label=key, linewidth=1)
        axc.set_yscale('symlog', linthresh=1e-3)
        axc.set_title(f'{name} (seed {results[name][0]["seed"]}): loss terms', fontsize=9)
        axc.set_xlabel('iteration', fontsize=8)
        axc.legend(fontsize=6)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


# -------------------------------------------------------------------------------------------------- main
def _parse_value(text: str):
    """A --variant value as MMEngine's --cfg-options parses it (numbers, booleans, lists, tuples, strings)."""
    from mmengine.config import DictAction
    return DictAction._parse_iterable(text)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--data-root', required=True)
    parser.add_argument('--task', choices=sorted(TASKS), default='det')
    parser.add_argument('--methods', nargs='+', default=None,
                        help='methods to compare (the student alone and the teacher are always included)')
    parser.add_argument('--student', default='student', metavar='NAME',
                        help='the method or variant that is the student alone, the reference of every difference '
                        '(default: the track\'s student; e.g. resnet32 for --methods iedml, whose two networks are '
                        'ResNet-32)')
    parser.add_argument('--seeds', type=int, default=3, help='number of seeds (0 .. N-1) per method')
    parser.add_argument('--iters', type=int, default=600, help='training iterations of every run but the teacher')
    parser.add_argument('--teacher-iters', type=int, default=None, help='teacher iterations (default 2x --iters)')
    parser.add_argument('--teacher-ckpt', default=None, help='a trained teacher (of --teacher-config)')
    parser.add_argument('--teacher-data-root', default=None,
                        help='train the teacher on this dataset instead of --data-root (same classes and layout; '
                        'a teacher that saw more data, as a model-zoo teacher has); it is validated on '
                        '--data-root\'s val split like every run')
    parser.add_argument('--teacher-config', default=None,
                        help='the teacher\'s config (default: the track\'s tiny teacher, which the methods\' tiny '
                        'recipes distil from; another one needs methods whose recipes name it)')
    parser.add_argument('--work-dir', default=osp.join(ROOT, 'work_dirs', 'compare_methods'))
    parser.add_argument('--jobs', type=int, default=max(1, os.cpu_count() or 1), help='runs side by side')
    parser.add_argument('--threads', type=int, default=None,
                        help='CPU threads per run (default: the cores divided by --jobs; set it when other work '
                        'shares the cores, e.g. 1 for two comparisons of --jobs 1 side by side)')
    parser.add_argument('--batch-size', type=int, default=None, help='default: 4 (det), 64 (cls)')
    parser.add_argument('--teacher-batch-size', type=int, default=None, help='the teacher\'s (default: --batch-size)')
    parser.add_argument('--img-size', type=int, default=None, help='resize images to this square size (det)')
    parser.add_argument('--variant', nargs='+', action='append', default=[], metavar='NAME=METHOD KEY=VALUE',
                        help='an extra entry NAME: METHOD\'s recipe with these config overrides (as '
                        '--cfg-options), e.g. --variant iekd_cos=iekd model.ie.exploration.form=cosine; '
                        'METHOD may also be a config file (a recipe of your own, e.g. inheriting a tiny one); '
                        'repeat for several')
    args = parser.parse_args(argv)
    task = TASKS[args.task]
    args.recipes = dict(task['methods'])
    args.overrides = {}
    for variant in args.variant:
        name, _, base = variant[0].partition('=')
        is_config = base.endswith('.py') and osp.isfile(osp.join(ROOT, base))
        if not base or not (base in task['methods'] or is_config) or name in task['methods']:
            parser.error(f'--variant {variant[0]}: expected NAME=METHOD (or NAME=CONFIG.py, a recipe of your own) '
                         f'with a new NAME and METHOD one of {sorted(task["methods"])}')
        pairs = [kv.split('=', 1) for kv in variant[1:]]
        if any(len(kv) != 2 for kv in pairs):
            parser.error(f'--variant {variant[0]}: overrides must be KEY=VALUE, got {variant[1:]}')
        args.recipes[name] = base if is_config else task['methods'][base]
        args.overrides[name] = {k: _parse_value(v) for k, v in pairs}
    if args.student not in args.recipes:
        parser.error(f'--student {args.student}: expected a method or variant of --task {args.task}, one of '
                     f'{sorted(args.recipes)}')
    args.methods = list(dict.fromkeys([args.student] + (args.methods or task['default_methods'])
                                      + [v[0].partition('=')[0] for v in args.variant]))
    unknown = [m for m in args.methods if m not in args.recipes]
    if unknown:
        parser.error(f'--methods: unknown for --task {args.task}: {unknown}; expected some of '
                     f'{sorted(args.recipes)}')
    if args.seeds < 1:
        parser.error('--seeds must be at least 1')
    if args.iters < 10:
        parser.error('--iters must be at least 10 (SSKD needs iterations for each stage and the head)')
    if args.jobs < 1:
        parser.error('--jobs must be at least 1')
    for option in ('threads', 'batch_size', 'teacher_batch_size'):
        if getattr(args, option) is not None and getattr(args, option) < 1:
            parser.error(f'--{option.replace("_", "-")} must be at least 1')
    if not osp.isdir(args.data_root):
        parser.error(f'--data-root {args.data_root} is not a folder')
    if args.teacher_data_root and args.teacher_ckpt:
        parser.error('--teacher-data-root trains the teacher; with --teacher-ckpt there is no teacher to train')
    if args.teacher_data_root and not osp.isdir(args.teacher_data_root):
        parser.error(f'--teacher-data-root {args.teacher_data_root} is not a folder')
    if args.teacher_ckpt and not args.teacher_ckpt.startswith(('http://', 'https://')) \
            and not osp.isfile(args.teacher_ckpt):
        parser.error(f'--teacher-ckpt {args.teacher_ckpt} does not exist')
    args.teacher_iters = args.teacher_iters or 2 * args.iters
    args.batch_size = args.batch_size or (4 if args.task == 'det' else 64)
    args.work_dir = osp.abspath(args.work_dir)
    return args


def main(argv=None) -> dict:
    args = parse_args(argv)
    task = TASKS[args.task]
    os.makedirs(args.work_dir, exist_ok=True)
    teacher = None
    needs = {m: recipe_needs_teacher(args.recipes[m], task, args.overrides.get(m)) for m in args.methods}
    if args.teacher_ckpt or not any(needs.values()):
        teacher_ckpt = args.teacher_ckpt
    else:
        teacher = Run(args, 'teacher', args.teacher_config or task['teacher'], 0, args.teacher_iters, validations=4,
                      train_root=args.teacher_data_root, batch_size=args.teacher_batch_size)
        teacher.needs_teacher = False
        teacher_ckpt = osp.join(teacher.dir, f'iter_{args.teacher_iters}.pth')
    runs = [] if teacher is None else [teacher]
    for seed in range(args.seeds):
        for method in args.methods:
            run = Run(args, method, args.recipes[method], seed, args.iters, 4 if method == args.student else 1)
            run.needs_teacher = needs[method]
            runs.append(run)
    start = time.time()
    run_all(args, runs, teacher, teacher_ckpt, task['metric'], task['scale'])
    results: Dict[str, List[dict]] = {}
    values: Dict[str, Dict[int, float]] = {}
    for run in runs:
        res = run.result()
        results.setdefault(run.method, []).append(res)
        values.setdefault(run.method, {})[run.seed] = res['value']
    if args.teacher_ckpt:
        values['teacher'] = {0: evaluate_teacher(args, task)}
    ordered = {k: values[k] for k in ['teacher', args.student] + args.methods if k in values}
    doc = summarise(ordered, task['metric'], args.student)
    doc['val_curves'] = {m: [r['val_curve'] for r in results[m]] for m in ('teacher', args.student)
                         if m in results and 'val_curve' in results[m][0]}
    doc.update(task=args.task, iters=args.iters, batch_size=args.batch_size, seeds=args.seeds,
               teacher_iters=None if args.teacher_ckpt else args.teacher_iters, data_root=args.data_root,
               teacher_data_root=args.teacher_data_root, teacher_batch_size=args.teacher_batch_size,
               phase1={m: [r['phase1'] for r in rs if r.get('phase1')] for m, rs in results.items()
                       if any(r.get('phase1') for r in rs)})
    with open(osp.join(args.work_dir, 'results.json'), 'w') as f:
        json.dump(doc, f, indent=1)
    text = write_markdown(args, doc, results, osp.join(args.work_dir, 'results.md'), task['metric_name'])
    plot(doc, results, osp.join(args.work_dir, 'results.png'), task['metric_name'])
    print('\n' + text)
    print(f'[compare] wrote {args.work_dir}/results.json, results.md and results.png; '
          f'{(time.time() - start) / 60:.1f} min of training and evaluation')
    return doc


def recipe_needs_teacher(recipe: str, task: dict, overrides: Optional[dict] = None) -> bool:
    """Whether a run of ``recipe`` distils from the track's teacher: a distiller with a ``teacher`` (the student
    alone and IE-DML, whose networks teach each other, have none)."""
    if recipe == task['methods']['student']:
        return False
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(ROOT, recipe))
    if overrides:
        cfg.merge_from_dict(overrides, allow_list_keys=True)
    return 'teacher' in cfg.model


def evaluate_teacher(args, task) -> float:
    """The given teacher checkpoint's metric on the val split, through tools/test.py."""
    out_dir = osp.join(args.work_dir, 'teacher', 'eval')
    cached = osp.join(out_dir, 'value.json')
    if osp.isfile(cached):
        with open(cached) as f:
            return json.load(f)['value']
    os.makedirs(out_dir, exist_ok=True)
    cfg = build_run_config(args, args.teacher_config or task['teacher'], 0, args.iters, None)
    config_file = osp.join(out_dir, 'config.py')
    cfg.dump(config_file)
    proc = subprocess.run([sys.executable, osp.join(ROOT, 'tools', 'test.py'), config_file, args.teacher_ckpt,
                           '--work-dir', out_dir], cwd=ROOT, capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=ROOT))
    if proc.returncode != 0:
        raise SystemExit(f'[compare] evaluating --teacher-ckpt failed:\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}')
    found = re.findall(re.escape(task['metric']) + r': ([0-9.]+)', proc.stdout + proc.stderr)
    if not found:
        raise SystemExit(f'[compare] no {task["metric"]} in the teacher\'s evaluation output')
    value = task['scale'] * float(found[-1])
    with open(cached, 'w') as f:
        json.dump(dict(value=value), f)
    return value


if __name__ == '__main__':
    main()
