"""The main job: the seeded method comparison on the embedded data, on whatever machine this is.

    python tools/run_main_job.py [--track det|scenes|cls] [--seeds 5] [--iters N] [--methods ...] [--jobs N]
                                 [--variant NAME=METHOD KEY=VALUE ...] [--work-dir work_dirs/main_job]

1. writes the embedded data on first use: for ``--track det`` (default) the shapes detection dataset (COCO
   format, 64 px): 300 labelled train images for the students, 2,400 for the teacher, the same 300 val images;
   for ``--track scenes`` the second detection track, scikit-learn's handwritten digits on crops of its photos
   (COCO format, 64 px, 10 classes): 300 / 2,400 train images, the same 300 val images;
   for ``--track cls`` scikit-learn's handwritten digits at 32 px: 20 train images per class for the students,
   the whole train split (1,438) for the teacher, the same 359 val images;
2. runs ``tools/analysis_tools/compare_methods.py`` on it: the teacher, the student alone and the student
   distilled with each method, every one at the same iteration budget and for every seed, through
   ``tools/train.py`` as a user would. The detection teacher is the one shipped in ``checkpoints/`` (trained to
   its plateau on the teacher's data by this script with ``--train-teacher``, see README.md; its AP is measured
   again in every job); ``--train-teacher`` trains it in the job instead (``--export-teacher FILE`` then writes
   its weights as the shipped file is written). The scenes and classification teachers are trained in the job;
3. prints the table (mean, 95 % interval, paired difference to the student alone, verdict) and writes
   ``results.json``, ``results.md`` and ``results.png`` in the work dir.

Finished runs are not repeated, so an interrupted job continues where it stopped.
"""
import argparse
import hashlib
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
TEACHER_ITERS = 19200  # the shipped detection teacher's training (batch 4), to its plateau (README.md)
TEACHER_SHA256 = 'e15516f8b3d03561af24f042edf75834d9f5f8b3884ae18a83882906978cac95'
# ``teacher_ckpt``: a teacher shipped with the code (weights only, checked by its SHA-256), trained by
# ``--train-teacher`` for ``teacher_iters`` iterations: the main job then spends no time on it.
_SHAPES = dict(num_val=300, img_size=64, seed=0, scale_range=(0.15, 0.5), max_objects=4)
_SCENES = dict(num_val=300, img_size=64, seed=0)
# ``task``: compare_methods' task (the tiny recipes it trains); ``dataset``: the generator in mmiekd.datasets.
TRACKS = dict(
    det=dict(task='det', dataset='shapes_coco',
             data=osp.join(ROOT, 'data', 'shapes_coco'), teacher_data=osp.join(ROOT, 'data', 'shapes_coco_teacher'),
             iters=2400, teacher_iters=TEACHER_ITERS, batch_size=4, img_size=64,
             teacher_ckpt=osp.join(ROOT, 'checkpoints', 'shapes_faster_rcnn_r34c8_teacher.pth'),
             teacher_sha256=TEACHER_SHA256,
             methods=['fitnet', 'iekd', 'sskd', 'iakd'],
             generate=dict(_SHAPES, num_train=300), teacher_generate=dict(_SHAPES, num_train=2400)),
    # The second detection track: real handwritten digits (10 classes, 12-22 px) on crops of real photos, all
    # from scikit-learn (mmiekd.datasets.digit_scenes); the same regime and budget as the shapes track, its
    # teacher trained in the job (4,800 iterations of batch 4).
    scenes=dict(task='det', dataset='digit_scenes',
                data=osp.join(ROOT, 'data', 'digit_scenes'), teacher_data=osp.join(ROOT, 'data', 'digit_scenes_teacher'),
                iters=2400, teacher_iters=4800, batch_size=4, img_size=64,
                methods=['fitnet', 'iekd', 'sskd', 'iakd'],
                generate=dict(_SCENES, num_train=300), teacher_generate=dict(_SCENES, num_train=2400)),
    cls=dict(task='cls', dataset='digits', data=osp.join(ROOT, 'data', 'digits_small'), teacher_data=osp.join(ROOT, 'data', 'digits'),
             iters=600, teacher_iters=800, batch_size=32, teacher_batch_size=64,
             methods=['kd', 'iekd', 'sskd', 'iakd'],
             generate=dict(size=32, seed=0, train_per_class=20), teacher_generate=dict(size=32, seed=0)),
)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--track', '--task', dest='task', choices=sorted(TRACKS), default='det',
                        help='det: shapes detection (default); scenes: digits on photos (detection); cls: digits '
                        'classification')
    parser.add_argument('--seeds', type=int, default=5)
    parser.add_argument('--iters', type=int, default=None, help='iterations of every run but the teacher')
    parser.add_argument('--teacher-iters', type=int, default=None)
    parser.add_argument('--methods', nargs='+', default=None)
    parser.add_argument('--jobs', type=int, default=None)
    parser.add_argument('--variant', nargs='+', action='append', default=[], metavar='NAME=METHOD KEY=VALUE',
                        help='an extra entry compared beside the methods (compare_methods.py --variant), e.g. '
                        'iekd_noexp=iekd model.ie.exploration.loss_weight=0')
    parser.add_argument('--work-dir', default=None, help='default: work_dirs/main_job (det), work_dirs/main_job_<track> (others)')
    parser.add_argument('--data-root', default=None, help='where the students\' embedded data is written (the '
                        'teacher\'s: the same path with _teacher appended)')
    parser.add_argument('--train-teacher', action='store_true',
                        help='train the teacher in the job (--teacher-iters) instead of using the shipped one')
    parser.add_argument('--export-teacher', default=None, metavar='FILE',
                        help='with --train-teacher: write the trained teacher\'s weights to FILE (weights and meta '
                        'only, as the shipped teacher)')
    args = parser.parse_args(argv)
    if args.export_teacher and not (args.train_teacher or not TRACKS[args.task].get('teacher_ckpt')):
        parser.error('--export-teacher needs --train-teacher (the shipped teacher is already a weights file)')
    return args


def sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def shipped_teacher(track: dict) -> str:
    """The track's shipped teacher checkpoint, after checking that it is the file the README reports."""
    path = track['teacher_ckpt']
    if not osp.isfile(path):
        raise SystemExit(f'[main job] the shipped teacher {path} is missing: restore it from git, or train one '
                         'with --train-teacher')
    found = sha256(path)
    if found != track['teacher_sha256']:
        raise SystemExit(f'[main job] the shipped teacher {path} has SHA-256 {found}, expected '
                         f'{track["teacher_sha256"]} (a partial checkout, a Git LFS pointer or a changed file); '
                         'restore it from git, or train one with --train-teacher')
    return path


def export_teacher(checkpoint: str, out_file: str, iters: int, data_root: str) -> str:
    """Writes a trained teacher's weights (``state_dict`` and a small ``meta``, nothing else: it loads with
    ``weights_only=True``) to ``out_file``; returns its SHA-256."""
    import torch

    from mmiekd.utils import atomic_write, load_checkpoint_safely
    state = load_checkpoint_safely(checkpoint, map_location='cpu')['state_dict']
    meta = dict(source='tools/run_main_job.py --train-teacher', iterations=iters, batch_size=4,
                data=osp.relpath(data_root, ROOT))
    atomic_write(out_file, lambda f: torch.save(dict(state_dict=state, meta=meta), f))
    return sha256(out_file)


def main(argv=None) -> dict:
    args = parse_args(argv)
    track = TRACKS[args.task]
    data = args.data_root or track['data']
    teacher_data = (data.rstrip('/') + '_teacher') if args.data_root else track['teacher_data']
    import mmiekd.datasets
    ensure = getattr(mmiekd.datasets, f'ensure_{track["dataset"]}')
    for role, root, generate in (("students'", data, track['generate']),
                                 ("teacher's", teacher_data, track['teacher_generate'])):
        info = ensure(root, **generate)
        print(f"[main job] the {role} data: {root} ({'generated' if info['generated'] else 'present'}: "
              f"{info['num_train']} train / {info['num_val']} val images)", flush=True)
    iters = args.iters or track['iters']
    work_dir = args.work_dir or osp.join(ROOT, 'work_dirs', 'main_job' if args.task == 'det' else f'main_job_{args.task}')
    teacher_iters = args.teacher_iters or (track['teacher_iters'] if not args.iters else 2 * iters)
    compare_args = ['--data-root', data, '--task', track['task'], '--seeds', str(args.seeds), '--iters', str(iters),
                    '--batch-size', str(track['batch_size']), '--work-dir', work_dir,
                    '--methods', *(args.methods or track['methods'])]
    if track.get('teacher_ckpt') and not args.train_teacher:
        compare_args += ['--teacher-ckpt', shipped_teacher(track)]
        print(f'[main job] the teacher: {track["teacher_ckpt"]} (shipped; trained {track["teacher_iters"]} '
              'iterations on the teacher\'s data, see README.md)', flush=True)
    else:
        compare_args += ['--teacher-data-root', teacher_data, '--teacher-iters', str(teacher_iters)]
    if track.get('teacher_batch_size'):
        compare_args += ['--teacher-batch-size', str(track['teacher_batch_size'])]
    if track.get('img_size'):
        compare_args += ['--img-size', str(track['img_size'])]
    if args.jobs:
        compare_args += ['--jobs', str(args.jobs)]
    for variant in args.variant:
        compare_args += ['--variant', *variant]
    results = compare_methods.main(compare_args)
    if args.export_teacher:
        trained = osp.join(work_dir, 'teacher', 'seed0', f'iter_{teacher_iters}.pth')
        digest = export_teacher(trained, args.export_teacher, teacher_iters, teacher_data)
        print(f'[main job] the teacher\'s weights: {args.export_teacher} (SHA-256 {digest})', flush=True)
    return results


if __name__ == '__main__':
    main()
