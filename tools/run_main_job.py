"""The main job: distillation end to end on the embedded data, on whatever machine this is.

    python tools/run_main_job.py [--work-dir work_dirs/main_job] [--iters 300] [--data-root data/shapes_coco]

1. writes the embedded shapes detection dataset (COCO format) on first use;
2. trains, each through tools/train.py exactly as a user would: the teacher (tiny Faster R-CNN, ResNet-18
   x16 channels), the student alone (ResNet-18 x8), and the student distilled from that teacher with FitNet
   and IE-KD on the FPN, SSKD (stage by stage, then the head) and IAKD (teacher blocks swapped in). The runs
   go in waves of two (teacher and student alone, then two distillations at a time), one CPU thread each:
   on 2 cores that is faster than one run at a time with two threads;
3. evaluates every model on the held-out split with mmdet's CocoMetric and writes ``results.md`` (a table:
   model, method, box AP, train time per iteration) and ``results.png`` (AP per method, loss curves).

Runs whose final checkpoint exists are not repeated, so an interrupted job continues where it stopped.
"""
import argparse
import glob
import json
import os
import os.path as osp
import subprocess
import sys
import threading
import time

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, ROOT)

# name, model, method, config, whether the teacher's checkpoint is passed in
RUNS = [
    ('teacher', 'Faster R-CNN R18 (x16)', 'trained alone', 'configs/_base_/tiny/faster_rcnn_r18c16_shapes.py', False),
    ('student', 'Faster R-CNN R18 (x8)', 'trained alone', 'configs/_base_/tiny/faster_rcnn_r18c8_shapes.py', False),
    ('fitnet', 'Faster R-CNN R18 (x8)', 'FitNet (FPN) from the teacher',
     'configs/kd/tiny/fitnet_faster_rcnn_tiny_shapes.py', True),
    ('iekd', 'Faster R-CNN R18 (x8)', 'IE-KD (FPN, phase 1 included) from the teacher',
     'configs/iekd/tiny/iekd_faster_rcnn_tiny_shapes.py', True),
    ('sskd', 'Faster R-CNN R18 (x8)', 'SSKD (4 backbone stages, then the head) from the teacher',
     'configs/sskd/tiny/sskd_faster_rcnn_tiny_shapes.py', True),
    ('iakd', 'Faster R-CNN R18 (x8)', 'IAKD (teacher stages swapped in, p 0.5 to 0) from the teacher',
     'configs/iakd/tiny/iakd_faster_rcnn_tiny_shapes.py', True),
]
# The runs that train side by side; a wave starts when the one before it has finished.
WAVES = [('teacher', 'student'), ('fitnet', 'iekd'), ('sskd', 'iakd')]
# The embedded data of the main job: objects of 15-50 % of the image side, 1 to 4 per image.
DATA = dict(scale_range=(0.15, 0.5), max_objects=4)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--work-dir', default=osp.join(ROOT, 'work_dirs', 'main_job'))
    parser.add_argument('--data-root', default=osp.join(ROOT, 'data', 'shapes_coco'))
    parser.add_argument('--iters', type=int, default=600, help='training iterations of each student run')
    parser.add_argument('--teacher-iters', type=int, default=None,
                        help='training iterations of the teacher (default: twice --iters, as teachers are '
                        'usually trained longer; it trains beside the student alone)')
    parser.add_argument('--num-train', type=int, default=600)
    parser.add_argument('--num-val', type=int, default=150)
    parser.add_argument('--img-size', type=int, default=128)
    parser.add_argument('--batch-size', type=int, default=4)
    parser.add_argument('--seed', type=int, default=0, help='random seed of every run (weights, data order)')
    parser.add_argument('--runs', nargs='+', default=[r[0] for r in RUNS], help='subset of runs')
    args = parser.parse_args(argv)
    if args.iters < 5:
        parser.error('--iters must be at least 5 (SSKD needs an iteration per stage and one of head phase)')
    return args


def method_overrides(name: str, iters: int):
    """The schedule of each method's own hook, scaled to ``iters``."""
    if name == 'sskd':  # 10 % of the iterations per backbone stage, the rest for the head
        stage = max(1, iters // 10)
        return [f'model.stages.{i}.length={stage}' for i in range(4)] + [f'model.head_length={iters - 4 * stage}']
    if name == 'iakd':  # p from 0.5 to 0 over the first 80 %
        return [f'custom_hooks.0.end={max(1, int(iters * 0.8))}']
    if name == 'iekd':  # phase 1 (the teacher's auto-encoder): a sixth of the student's iterations
        return [f'custom_hooks.0.iters={max(1, iters // 6)}']
    return []


def overrides(args, data_root: str, iters: int):
    """--cfg-options that point a tiny recipe at this job's data, size and schedule."""
    milestone = int(iters * 0.8)
    return [
        f'train_dataloader.dataset.data_root={data_root}/', f'val_dataloader.dataset.data_root={data_root}/',
        f'test_dataloader.dataset.data_root={data_root}/',
        f'val_evaluator.ann_file={data_root}/annotations/instances_val.json',
        f'test_evaluator.ann_file={data_root}/annotations/instances_val.json',
        f'train_dataloader.batch_size={args.batch_size}',
        f'train_cfg.max_iters={iters}', f'train_cfg.val_interval={iters}', f'randomness.seed={args.seed}',
        f'default_hooks.checkpoint.interval={iters}', 'default_hooks.logger.interval=20',
        f'param_scheduler.1.end={iters}', f'param_scheduler.1.milestones=[{milestone}]',
    ]


def read_scalars(work_dir: str):
    files = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')))
    records = []
    for path in files:
        with open(path) as f:
            records += [json.loads(line) for line in f if line.strip()]
    return records


def start(args, name: str, config: str, extra, threads: int):
    """Starts one training run through tools/train.py; returns (final checkpoint, process or None, log file)."""
    work_dir = osp.join(args.work_dir, name)
    iters = args.teacher_iters if name == 'teacher' else args.iters
    final = osp.join(work_dir, f'iter_{iters}.pth')
    log_file = osp.join(args.work_dir, f'{name}.log')
    if osp.isfile(final):
        print(f'[main job] {name}: already trained ({final})', flush=True)
        return final, None, log_file
    cmd = [sys.executable, osp.join(ROOT, 'tools', 'train.py'), osp.join(ROOT, config), '--work-dir', work_dir,
           '--cfg-options', *overrides(args, args.data_root, iters), *method_overrides(name, iters), *extra]
    if glob.glob(osp.join(work_dir, '*.pth')):
        cmd.append('--resume')
    print(f'[main job] {name}: training {iters} iterations ({config}); log: {log_file}', flush=True)
    env = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
    log = open(log_file, 'a')
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, text=True, env=env)
    proc.log = log
    return final, proc, log_file


def follow(name: str, proc, log_file: str) -> None:
    """The progress display: mmengine's own training/validation lines (with ETA) of a run, as they come."""
    with open(log_file) as f:
        f.seek(0, os.SEEK_END)
        while True:
            line = f.readline()
            if not line:
                if proc.poll() is not None:
                    break
                time.sleep(0.5)
                continue
            if 'Iter(train)' in line or 'coco/bbox_mAP:' in line or 'phase 1 [' in line or 'SSKD:' in line \
                    or 'Error' in line:
                print(f'    {name:>7} | ' + line.rstrip()[:200], flush=True)


def train_wave(args, wave, checkpoints) -> None:
    """Trains the runs of one wave side by side, one thread each, and records their final checkpoints."""
    runs = [r for r in RUNS if r[0] in wave and r[0] in args.runs]
    threads = max(1, (os.cpu_count() or 1) // max(1, len(runs)))
    started, begin = [], time.time()
    for name, _, _, config, needs_teacher in runs:
        if needs_teacher and 'teacher' not in checkpoints:
            raise SystemExit(f'[main job] {name} needs the teacher run')
        extra = [f"model.teacher_ckpt={checkpoints['teacher']}"] if needs_teacher else []
        final, proc, log_file = start(args, name, config, extra, threads)
        checkpoints[name] = final
        if proc is not None:
            started.append((name, proc, log_file))
    followers = [threading.Thread(target=follow, args=s, daemon=True) for s in started]
    for follower in followers:
        follower.start()
    for (name, proc, log_file), follower in zip(started, followers):
        code = proc.wait()
        follower.join()
        proc.log.close()
        if code != 0:
            raise SystemExit(f'[main job] {name} failed; see {log_file}')
    if started:
        print(f"[main job] {', '.join(n for n, _, _ in started)}: done in {time.time() - begin:.0f} s", flush=True)


def summarise(args, results):
    student = next((r for r in results if r['name'] == 'student'), None)
    lines = ['| model | method | box AP | AP50 | train s/iter |', '|---|---|---|---|---|']
    for r in results:
        lines.append(f"| {r['model']} | {r['method']} | {100 * r['ap']:.1f} | {100 * r['ap50']:.1f} | "
                     f"{r['s_per_iter']:.3f} |")
    verdicts = []
    teacher = next((r for r in results if r['name'] == 'teacher'), None)
    if teacher and student:
        gap = 100 * (teacher['ap'] - student['ap'])
        verdicts.append(f"- The teacher {'beats' if gap > 0 else 'does not beat'} the student trained alone "
                        f"({gap:+.1f} AP): {'there is something to distil' if gap > 0 else 'little to distil'}.")
    for r in results:
        if student is None or r['name'] in ('teacher', 'student'):
            continue
        delta = 100 * (r['ap'] - student['ap'])
        verb = 'beats' if delta > 0 else 'does not beat'
        verdicts.append(f"- {r['method']}: {verb} the student trained alone on this data "
                        f"({delta:+.1f} AP, {r['s_per_iter'] / student['s_per_iter']:.2f}x its step time).")
    text = '\n'.join(lines)
    summary = '\n'.join(verdicts)
    note = (f'Embedded shapes data: {args.num_train} train / {args.num_val} val images of {args.img_size} px; '
            f'{args.iters} iterations of batch {args.batch_size} per student run ({args.teacher_iters} for the '
            'teacher); box AP = COCO mAP@[.5:.95] on val '
            '(mmdet CocoMetric), in %. Runs trained two at a time with one CPU thread each, so s/iter '
            'compares runs of this table, not machines.')
    return f'# mmiekd main job\n\n{note}\n\n{text}\n\n{summary}\n'


def plot(args, results, path):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, (ax_ap, ax_loss) = plt.subplots(1, 2, figsize=(12, 4.5))
    labels = [r['name'] for r in results]
    bars = ax_ap.bar(labels, [100 * r['ap'] for r in results], color=['#777', '#4a90d9', '#e07b39', '#5bb55b',
                                                                      '#a05bd5', '#d5a05b'][:len(results)])
    ax_ap.bar_label(bars, fmt='%.1f')
    ax_ap.set_ylabel('box AP (%)')
    ax_ap.set_title('COCO box AP on the held-out split')
    for r in results:
        curve = [(s['iter'], s['loss']) for s in r['records'] if 'loss' in s and 'iter' in s]
        if curve:
            ax_loss.plot(*zip(*curve), label=r['name'])
    ax_loss.set_xlabel('iteration')
    ax_loss.set_ylabel('total training loss (log scale)')
    ax_loss.set_yscale('log')  # FitNet's feature loss starts orders of magnitude above the others
    ax_loss.set_title('Loss curves')
    ax_loss.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main(argv=None):
    args = parse_args(argv)
    args.teacher_iters = args.teacher_iters or 2 * args.iters
    os.makedirs(args.work_dir, exist_ok=True)
    from mmiekd.datasets import ensure_shapes_coco
    info = ensure_shapes_coco(args.data_root, num_train=args.num_train, num_val=args.num_val,
                              img_size=args.img_size, seed=0, **DATA)
    print(f"[main job] data: {args.data_root} ({'generated' if info['generated'] else 'present'}: "
          f"{info['num_train']} train / {info['num_val']} val images)", flush=True)
    checkpoints, results = {}, []
    start_time = time.time()
    for wave in WAVES:
        train_wave(args, wave, checkpoints)
    for name, model, method, config, needs_teacher in RUNS:
        if name not in args.runs:
            continue
        records = read_scalars(osp.join(args.work_dir, name))
        val = [r for r in records if 'coco/bbox_mAP' in r][-1]
        steps = [r['time'] for r in records if 'loss' in r and 'time' in r]
        steady = steps[len(steps) // 5:] or steps  # leave out the warm-up
        results.append(dict(name=name, model=model, method=method, ap=val['coco/bbox_mAP'],
                            ap50=val['coco/bbox_mAP_50'], s_per_iter=sum(steady) / len(steady), records=records))
    report = summarise(args, results)
    with open(osp.join(args.work_dir, 'results.md'), 'w') as f:
        f.write(report)
    plot(args, results, osp.join(args.work_dir, 'results.png'))
    print('\n' + report)
    print(f'[main job] wrote {args.work_dir}/results.md and results.png; '
          f'training and evaluation took {(time.time() - start_time) / 60:.1f} min')


if __name__ == '__main__':
    main()
