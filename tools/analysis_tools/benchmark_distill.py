"""Step cost of a distillation recipe against its student trained alone, on the same synthetic batch.

    python tools/analysis_tools/benchmark_distill.py CONFIG [--iters 10] [--batch 2] [--size 320 320]
                                                     [--device cpu|cuda] [--json OUT.json]

Builds the recipe's distiller (without its teacher checkpoint: timing does not depend on the weights) and
the same student alone with identical weights, then times full training steps (forward, backward, SGD
update) of both, alternating, after warm-up. Prints median seconds per step, their ratio, and the limit a
distillation step cannot beat: the student's step plus the teacher's forward of the distilled modules,
measured in the same run.
"""
import argparse
import json
import os.path as osp
import resource
import statistics
import sys
import time
import warnings

import torch

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, ROOT)
sys.path.insert(0, osp.join(ROOT, 'tools'))

from mmengine.optim import OptimWrapper  # noqa: E402

from mmiekd.registry import MODELS  # noqa: E402
from mmiekd.utils import load_model_cfg, with_build_scopes  # noqa: E402


def synthetic_batch(model, batch: int, size, seed: int = 0) -> dict:
    """A batch as the dataloader gives it: uint8 images and labelled data samples for the model's task."""
    g = torch.Generator().manual_seed(seed)
    h, w = size
    inputs = [torch.randint(0, 256, (3, h, w), generator=g, dtype=torch.uint8) for _ in range(batch)]
    module = type(model).__module__
    if module.startswith('mmdet.'):
        from mmdet.structures import DetDataSample
        from mmengine.structures import InstanceData
        num_classes = model.roi_head.bbox_head.num_classes if hasattr(model, 'roi_head') \
            else model.bbox_head.num_classes
        samples = []
        for _ in range(batch):
            xy = torch.rand(4, 2, generator=g) * torch.tensor([w * 0.6, h * 0.6])
            wh = torch.rand(4, 2, generator=g) * torch.tensor([w * 0.35, h * 0.35]) + 8
            sample = DetDataSample(metainfo=dict(img_shape=(h, w), ori_shape=(h, w), scale_factor=(1., 1.)))
            sample.gt_instances = InstanceData(bboxes=torch.cat([xy, xy + wh], 1),
                                               labels=torch.randint(0, num_classes, (4, ), generator=g))
            samples.append(sample)
    else:
        from mmpretrain.structures import DataSample
        num_classes = model.head.num_classes
        samples = [DataSample().set_gt_label(int(torch.randint(0, num_classes, (1, ), generator=g)))
                   for _ in range(batch)]
    return dict(inputs=inputs, data_samples=samples)


def sync(device):
    if device == 'cuda':
        torch.cuda.synchronize()


def timed(fn, device):
    sync(device)
    start = time.perf_counter()
    fn()
    sync(device)
    return time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config')
    parser.add_argument('--iters', type=int, default=10, help='timed steps of each model')
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--batch', type=int, default=2)
    parser.add_argument('--size', type=int, nargs=2, default=[320, 320], metavar=('H', 'W'))
    parser.add_argument('--device', default='cpu', choices=['cpu', 'cuda'])
    parser.add_argument('--json', help='also write the figures to this file')
    args = parser.parse_args(argv)

    from launch_utils import load_config
    cfg = load_config(argparse.Namespace(config=args.config, cfg_options=None, launcher='none', work_dir=None))
    model_cfg = dict(cfg.model, teacher_ckpt=None)
    if cfg.get('data_preprocessor'):
        model_cfg.setdefault('data_preprocessor', cfg.data_preprocessor)
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        distiller = MODELS.build(with_build_scopes(model_cfg)).to(args.device)
    if hasattr(distiller, 'finish_autoencoder_phase'):
        distiller.finish_autoencoder_phase()  # IE-KD: time the student's phase; phase 1 is a one-off
    student_cfg = load_model_cfg(model_cfg['student'], 'student')
    if cfg.get('data_preprocessor'):
        student_cfg.setdefault('data_preprocessor', cfg.data_preprocessor)
    student = MODELS.build(student_cfg).to(args.device)
    student.load_state_dict(distiller.student.state_dict())
    distiller.train()
    student.train()

    def optim(model):
        return OptimWrapper(torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=1e-4))

    batch = synthetic_batch(distiller.student, args.batch, args.size)
    d_optim, s_optim = optim(distiller), optim(student)
    data = distiller.data_preprocessor(batch, True)

    def teacher_forward():
        if getattr(distiller, 'needs_teacher', False):
            distiller.run_teacher(data['inputs'], data['data_samples'])
            distiller.teacher_recorder.clear()

    def measure():
        times = dict(distill=[], student=[], teacher=[])
        for i in range(args.warmup + args.iters):
            d = timed(lambda: distiller.train_step(batch, d_optim), args.device)
            s = timed(lambda: student.train_step(batch, s_optim), args.device)
            t = timed(teacher_forward, args.device)
            if i >= args.warmup:
                for key, value in (('distill', d), ('student', s), ('teacher', t)):
                    times[key].append(value)
        return {k: statistics.median(v) for k, v in times.items()}

    title = (f"{osp.basename(args.config)}  ({args.device}, {args.batch}x{args.size[0]}x{args.size[1]}, "
             f"median of {args.iters})")
    if hasattr(distiller, 'set_stage'):
        # SSKD: each stage runs both networks up to the stage only; the head phase is the student's step.
        print(title)
        result = dict(config=args.config, device=args.device, batch=args.batch, size=args.size, stages=[])
        for index in range(distiller.num_stages + 1):
            distiller.set_stage(index)
            d_optim = optim(distiller)
            med = measure()
            name = 'head phase' if index == distiller.num_stages else f'stage {index + 1}'
            result['stages'].append(dict(stage=name, step_s=med['distill'], student_s=med['student'],
                                         ratio=med['distill'] / med['student']))
            print(f"  {name:<11} step {med['distill']:.4f} s   student step {med['student']:.4f} s   "
                  f"ratio {med['distill'] / med['student']:.3f}x")
        if args.json:
            with open(args.json, 'w') as f:
                json.dump(result, f, indent=2)
        return result

    med = measure()
    result = dict(
        config=args.config, device=args.device, batch=args.batch, size=args.size, iters=args.iters,
        distill_s=med['distill'], student_s=med['student'], teacher_forward_s=med['teacher'],
        ratio=med['distill'] / med['student'], limit_ratio=(med['student'] + med['teacher']) / med['student'],
        over_limit=med['distill'] / (med['student'] + med['teacher']) - 1)
    if args.device == 'cuda':
        result['peak_memory_mb'] = torch.cuda.max_memory_allocated() / 2**20
    else:
        result['peak_rss_mb'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(title)
    print(f"  student step        {result['student_s']:.4f} s")
    print(f"  distillation step   {result['distill_s']:.4f} s   ratio {result['ratio']:.3f}x")
    print(f"  teacher forward     {result['teacher_forward_s']:.4f} s   limit {result['limit_ratio']:.3f}x "
          f"(student step + teacher forward); distillation is {100 * result['over_limit']:+.1f}% over it")
    mem = result.get('peak_memory_mb', result.get('peak_rss_mb'))
    print(f"  peak memory         {mem:.0f} MB ({'GPU allocated' if args.device == 'cuda' else 'process RSS'})")
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(result, f, indent=2)
    return result


if __name__ == '__main__':
    main()
