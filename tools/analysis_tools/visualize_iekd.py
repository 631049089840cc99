"""Side-by-side activation maps of an IE-KD model, like the paper's Fig. 1: the image, the teacher's feature,
and the student's inheritance and exploration halves (channel energy, upsampled over the image).

    python tools/analysis_tools/visualize_iekd.py CONFIG CHECKPOINT IMG [IMG ...] --out-dir DIR
        [--size H W] [--level 0] [--cfg-options k=v ...]

CHECKPOINT is an IE-KD training checkpoint (the teacher comes from the config's ``teacher_ckpt`` unless the
checkpoint holds it). Writes ``DIR/<image name>_iekd.png`` per image.
"""
import argparse
import os
import os.path as osp
import sys
import warnings

import numpy as np
import torch
import torch.nn.functional as F

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, ROOT)
sys.path.insert(0, osp.join(ROOT, 'tools'))

from mmengine.config import DictAction  # noqa: E402
from mmengine.runner import load_checkpoint  # noqa: E402

from mmiekd.models.distillers.single_teacher_distiller import as_levels  # noqa: E402
from mmiekd.registry import MODELS  # noqa: E402
from mmiekd.utils import safe_checkpoint_globals, with_build_scopes  # noqa: E402


def energy(feature: torch.Tensor, size) -> np.ndarray:
    """(1, C, h, w) -> (H, W) channel energy mean(x^2), upsampled and scaled to [0, 1]."""
    heat = feature.float().pow(2).mean(1, keepdim=True)
    heat = F.interpolate(heat, size=size, mode='bilinear', align_corners=False)[0, 0]
    heat = heat - heat.min()
    return (heat / heat.max().clamp(min=1e-12)).cpu().numpy()


def features(model, image: np.ndarray, level: int):
    """Teacher feature, student inheritance and exploration halves for one BGR uint8 image (H, W, 3), the
    channel order the data pipelines load."""
    outputs = {'teacher': [], 'student': []}
    hooks = [net.get_submodule(name).register_forward_hook(lambda m, i, o, role=role: outputs[role].append(o))
             for role, net, names in (('teacher', model.teacher, model.ie_teacher),
                                      ('student', model.student, model.ie_student))
             for name in names]
    batch = dict(inputs=[torch.from_numpy(image).permute(2, 0, 1).contiguous()])
    inputs = model.data_preprocessor(batch, False)['inputs']
    with torch.no_grad():
        model.student.extract_feat(inputs)
        model.teacher.extract_feat(model.teacher_input(inputs))
    for hook in hooks:
        hook.remove()
    teacher = as_levels(outputs['teacher'])[level]
    inheritance, exploration = model.split(as_levels(outputs['student'])[level])  # levels in list order
    return teacher, inheritance, exploration


def render(image, maps, titles, path):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, len(maps) + 1, figsize=(3.2 * (len(maps) + 1), 3.7))
    axes[0].imshow(image)
    axes[0].set_title('image')
    for ax, heat, title in zip(axes[1:], maps, titles):
        ax.imshow(image)
        ax.imshow(heat, cmap='jet', alpha=0.5, vmin=0, vmax=1)
        ax.set_title(title)
    for ax in axes:
        ax.axis('off')
    fig.tight_layout(pad=1.2)
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('images', nargs='+')
    parser.add_argument('--out-dir', required=True)
    parser.add_argument('--size', type=int, nargs=2, metavar=('H', 'W'), help='resize images first')
    parser.add_argument('--level', type=int, default=0, help='FPN level to show (detection)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = parser.parse_args(argv)

    import mmcv
    from launch_utils import load_config
    cfg = load_config(argparse.Namespace(config=args.config, cfg_options=args.cfg_options, launcher='none',
                                         work_dir=None))
    model_cfg = dict(cfg.model)
    if cfg.get('data_preprocessor'):
        model_cfg.setdefault('data_preprocessor', cfg.data_preprocessor)
    if model_cfg.get('type', '').split('.')[-1] != 'IEKDDistiller':
        raise ValueError(f'{args.config}: `model.type` must be mmiekd.IEKDDistiller, got {model_cfg.get("type")}')
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        model = MODELS.build(with_build_scopes(model_cfg))
    with safe_checkpoint_globals():  # a training checkpoint: weights_only=True with mmiekd's allow-list
        load_checkpoint(model, args.checkpoint, map_location='cpu', strict=False)
    model.eval()
    os.makedirs(args.out_dir, exist_ok=True)
    written = []
    for path in args.images:
        image = mmcv.imread(path)
        if args.size:
            image = mmcv.imresize(image, (args.size[1], args.size[0]))
        maps = [energy(f, image.shape[:2]) for f in features(model, image, args.level)]
        out = osp.join(args.out_dir, osp.splitext(osp.basename(path))[0] + '_iekd.png')
        render(mmcv.bgr2rgb(image), maps, ['teacher feature', 'student: inheritance', 'student: exploration'], out)
        written.append(out)
        print(f'wrote {out}')
    return written


if __name__ == '__main__':
    main()
