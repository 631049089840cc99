"""The main job: the seeded method comparison on the embedded data, on whatever machine this is.

    python tools/run_main_job.py [--task det|cls] [--seeds 3] [--iters N] [--methods ...] [--jobs N]
                                 [--work-dir work_dirs/main_job]

1. writes the embedded data on first use: for ``--task det`` (default) the shapes detection dataset (COCO
   format, 64 px): 300 labelled train images for the students, 2,400 for the teacher, the same 300 val images;
   for ``--task cls`` scikit-learn's handwritten digits at 32 px: 20 train images per class for the students,
   the whole train split (1,438) for the teacher, the same 359 val images;
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

# The embedded data of each track and the budget that puts it in the regime distillation is for (see README.md,
# "The main job"): a teacher that knows more than the student can learn from its own labelled data (trained on
# 8x / 7x as many images, to its plateau, far ahead), and students that all see the same small labelled set for
# a budget at which the student alone has stopped improving. ``generate``: the students' data (train and val);
# ``teacher_generate``: the teacher's (the same generator and seed, more train images: the students' images are
# the first ones of its train split, and its val split is the same).
_SHAPES = dict(num_val=300, img_size=64, seed=0, scale_range=(0.15, 0.5), max_objects=4)
TRACKS = dict(
    det=dict(data=osp.join(ROOT, 'data', 'shapes_coco'), teacher_data=osp.join(ROOT, 'data', 'shapes_coco_teacher'),
             iters=2400, teacher_iters=4800, batch_size=4, img_size=64,
             methods=['fitnet', 'iekd', 'sskd', 'iakd'],
             generate=dict(_SHAPES, num_train=300), teacher_generate=dict(_SHAPES, num_train=2400)),
    cls=dict(data=osp.join(ROOT, 'data', 'digits_small'), teacher_data=osp.join(ROOT, 'data', 'digits'),
             iters=600, teacher_iters=800, batch_size=32, teacher_batch_size=64,
             methods=['kd', 'iekd', 'sskd', 'iakd'],
             generate=dict(size=32, seed=0, train_per_class=20), teacher_generate=dict(size=32, seed=0)),
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
    parser.add_argument('--data-root', default=None, help='where the students\' embedded data is written (the '
                        'teacher\'s: the same path with _teacher appended)')
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    track = TRACKS[args.task]
    data = args.data_root or track['data']
    teacher_data = (data.rstrip('/') + '_teacher') if args.data_root else track['teacher_data']
    if args.task == 'det':
        from mmiekd.datasets import ensure_shapes_coco as ensure
    else:
        from mmiekd.datasets import ensure_digits as ensure
    for role, root, generate in (("students'", data, track['generate']),
                                 ("teacher's", teacher_data, track['teacher_generate'])):
        info = ensure(root, **generate)
        print(f"[main job] the {role} data: {root} ({'generated' if info['generated'] else 'present'}: "
              f"{info['num_train']} train / {info['num_val']} val images)", flush=True)
    iters = args.iters or track['iters']
    work_dir = args.work_dir or osp.join(ROOT, 'work_dirs', 'main_job' if args.task == 'det' else 'main_job_cls')
    compare_args = ['--data-root', data, '--teacher-data-root', teacher_data, '--task', args.task,
                    '--seeds', str(args.seeds), '--iters', str(iters),
                    '--teacher-iters', str(args.teacher_iters or (track['teacher_iters'] if not args.iters
                                                                  else 2 * iters)),
                    '--batch-size', str(track['batch_size']), '--work-dir', work_dir,
                    '--methods', *(args.methods or track['methods'])]
    if track.get('teacher_batch_size'):
        compare_args += ['--teacher-batch-size', str(track['teacher_batch_size'])]
    if track.get('img_size'):
        compare_args += ['--img-size', str(track['img_size'])]
    if args.jobs:
        compare_args += ['--jobs', str(args.jobs)]
    return compare_methods.main(compare_args)


if __name__ == '__main__':
    main()
