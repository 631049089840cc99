"""The main job: the seeded method comparison on the embedded data, on whatever machine this is.

    python tools/run_main_job.py [--task det|cls] [--seeds 3] [--iters N] [--methods ...] [--jobs N]
                                 [--work-dir work_dirs/main_job]

1. writes the embedded data on first use: the shapes detection dataset (COCO format) for ``--task det``
   (default), scikit-learn's handwritten digits at 32 px for ``--task cls``;
2. runs ``tools/analysis_tools/compare_methods.py`` on it: the teacher (trained once), the student alone and
   the student distilled with each method, every one at the same iteration budget and for every seed,
   through ``tools/train.py`` as a user would;
3. prints the table (mean, 95 % interval, paired difference to the student alone, verdict) and writes
   ``results.json``, ``results.md`` and ``results.png`` in the work dir.

Finished runs are not repeated, so an interrupted job continues where it stopped.
"""
import argparse
import os.path as osp
import sys

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, osp.join(ROOT, 'tools', 'analysis_tools'))

import compare_methods  # noqa: E402

# The embedded data of each track and the budget that puts it in the regime distillation is for (the teacher
# trained to its plateau and clearly better than the student alone; every run long enough that the student
# alone has stopped improving): see README.md, "The main job".
TRACKS = dict(
    det=dict(data=osp.join(ROOT, 'data', 'shapes_coco'), iters=600, teacher_iters=1200, batch_size=4,
             methods=['fitnet', 'iekd', 'sskd', 'iakd'],
             generate=dict(num_train=600, num_val=150, img_size=128, seed=0, scale_range=(0.15, 0.5),
                           max_objects=4)),
    cls=dict(data=osp.join(ROOT, 'data', 'digits'), iters=300, teacher_iters=600, batch_size=64,
             methods=['kd', 'iekd', 'sskd', 'iakd'], generate=dict(size=32, seed=0)),
)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--task', choices=sorted(TRACKS), default='det')
    parser.add_argument('--seeds', type=int, default=3)
    parser.add_argument('--iters', type=int, default=None, help='iterations of every run but the teacher')
    parser.add_argument('--teacher-iters', type=int, default=None)
    parser.add_argument('--methods', nargs='+', default=None)
    parser.add_argument('--jobs', type=int, default=None)
    parser.add_argument('--work-dir', default=None, help='default: work_dirs/main_job (det), work_dirs/main_job_cls')
    parser.add_argument('--data-root', default=None, help='where the embedded data is written')
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    track = TRACKS[args.task]
    data = args.data_root or track['data']
    if args.task == 'det':
        from mmiekd.datasets import ensure_shapes_coco
        info = ensure_shapes_coco(data, **track['generate'])
        print(f"[main job] data: {data} ({'generated' if info['generated'] else 'present'}: "
              f"{info['num_train']} train / {info['num_val']} val images)", flush=True)
    else:
        from mmiekd.datasets import ensure_digits
        ensure_digits(data, **track['generate'])
        print(f'[main job] data: {data} (scikit-learn digits, 32 px)', flush=True)
    iters = args.iters or track['iters']
    work_dir = args.work_dir or osp.join(ROOT, 'work_dirs', 'main_job' if args.task == 'det' else 'main_job_cls')
    compare_args = ['--data-root', data, '--task', args.task, '--seeds', str(args.seeds), '--iters', str(iters),
                    '--teacher-iters', str(args.teacher_iters or (track['teacher_iters'] if not args.iters
                                                                  else 2 * iters)),
                    '--batch-size', str(track['batch_size']), '--work-dir', work_dir,
                    '--methods', *(args.methods or track['methods'])]
    if args.jobs:
        compare_args += ['--jobs', str(args.jobs)]
    return compare_methods.main(compare_args)


if __name__ == '__main__':
    main()
