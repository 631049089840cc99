"""Plot the loss terms and metrics of training runs from MMEngine's JSON logs (matplotlib only).

    python tools/analysis_tools/analyze_logs.py plot_curve LOG [LOG ...] [--keys K [K ...]] [--legend ...]
                                                           [--title T] [--out FILE]
    python tools/analysis_tools/analyze_logs.py cal_train_time LOG [LOG ...]

LOG is a run's ``<work_dir>/<timestamp>/vis_data/scalars.json`` (or ``<timestamp>.json`` beside it), or a
work dir (its newest run). Without ``--keys``, every loss term of the first log (the task losses and each
``distill.*``/``ie.*``/``net1.*`` term) and every validation metric (``coco/bbox_mAP``,
``accuracy/top1``, ``teacher/...``) gets its own panel; several logs are drawn in each panel, one line per
log, to compare runs. Without ``--out`` the figure is shown.
"""
import argparse
import glob
import json
import os.path as osp
from typing import Dict, List, Optional, Sequence


def find_log(path: str) -> str:
    """``path`` itself if it is a file, else the newest ``*/vis_data/scalars.json`` under the work dir."""
    if osp.isfile(path):
        return path
    found = sorted(glob.glob(osp.join(path, '*', 'vis_data', 'scalars.json')))
    if not found:
        raise FileNotFoundError(f'{path}: neither a JSON log nor a work dir with */vis_data/scalars.json')
    return found[-1]


def read_log(path: str) -> List[dict]:
    """The records of a JSON-lines log (one dict per logged training step or validation)."""
    with open(find_log(path)) as f:
        return [json.loads(line) for line in f if line.strip()]


def is_loss_key(key: str) -> bool:
    """A loss term as MMEngine logs it: ``loss``, ``loss_cls``, ``distill.loss_fpn``, ``net1.ie.loss_inh``."""
    return key == 'loss' or key.startswith('loss') or '.loss' in key


def is_metric_key(key: str) -> bool:
    """A validation metric: ``coco/bbox_mAP``, ``accuracy/top1``, ``teacher/coco/bbox_mAP``..."""
    return '/' in key


def loss_curves(records: Sequence[dict]) -> Dict[str, List[list]]:
    """``{term: [[iteration, value], ...]}`` of every loss term in the training records."""
    curves: Dict[str, List[list]] = {}
    for record in records:
        if 'iter' not in record:
            continue
        for key, value in record.items():
            if is_loss_key(key) and isinstance(value, (int, float)):
                curves.setdefault(key, []).append([record['iter'], value])
    return curves


def curve(records: Sequence[dict], key: str) -> List[list]:
    """``[[x, value], ...]`` of ``key``: training records by ``iter``, validation records by ``step``."""
    return [[r.get('iter', r.get('step')), r[key]] for r in records
            if isinstance(r.get(key), (int, float)) and r.get('iter', r.get('step')) is not None]


def default_keys(records: Sequence[dict]) -> List[str]:
    keys = dict.fromkeys(k for r in records for k, v in r.items() if isinstance(v, (int, float)))
    losses = [k for k in keys if is_loss_key(k)]
    metrics = [k for k in keys if is_metric_key(k) and not k.endswith(('/time', '/data_time'))]
    return losses + metrics


def plot_curve(logs: Sequence[str], keys: Optional[Sequence[str]] = None, legend: Optional[Sequence[str]] = None,
               title: Optional[str] = None, out: Optional[str] = None):
    """Draws one panel per key and one line per log; saves to ``out`` (or shows). Returns the figure.

    Raises:
        ValueError: ``--legend`` of another length than the logs, or a key that no log has.
    """
    import matplotlib
    if out:
        matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    runs = [read_log(log) for log in logs]
    legend = list(legend) if legend else [osp.relpath(find_log(log)) for log in logs]
    if len(legend) != len(logs):
        raise ValueError(f'--legend: {len(legend)} names for {len(logs)} logs')
    keys = list(keys) if keys else default_keys(runs[0])
    missing = [k for k in keys if not any(curve(records, k) for records in runs)]
    if missing:
        available = sorted(set(default_keys([r for records in runs for r in records])))
        raise ValueError(f'--keys: no log has {missing}; they have {available}')
    cols = min(3, len(keys))
    rows = (len(keys) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(4.6 * cols, 3.3 * rows), squeeze=False)
    for ax, key in zip(axes.flat, keys):
        for name, records in zip(legend, runs):
            points = curve(records, key)
            if points:
                xs, ys = zip(*points)
                ax.plot(xs, ys, label=name, linewidth=1, marker='o' if len(points) < 12 else None, markersize=3)
        ax.set_title(key, fontsize=9)
        ax.set_xlabel('iteration', fontsize=8)
        if len(runs) > 1:
            ax.legend(fontsize=6)
    for ax in list(axes.flat)[len(keys):]:
        ax.axis('off')
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    if out:
        fig.savefig(out, dpi=100)
        plt.close(fig)
        print(f'saved {out}')
    else:
        plt.show()
    return fig


def cal_train_time(logs: Sequence[str]) -> List[dict]:
    """Per log: the mean and slowest/fastest iteration time (s) of the training records."""
    results = []
    for log in logs:
        times = [r['time'] for r in read_log(log) if 'iter' in r and 'time' in r]
        if not times:
            raise ValueError(f'{log}: no training iteration with a time')
        result = dict(log=log, iters=len(times), mean=sum(times) / len(times), slowest=max(times),
                      fastest=min(times))
        print(f'{log}: {result["iters"]} logged iterations, {result["mean"]:.4f} s/iter on average '
              f'(slowest {result["slowest"]:.4f}, fastest {result["fastest"]:.4f})')
        results.append(result)
    return results


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Plot or time training runs from their JSON logs')
    sub = parser.add_subparsers(dest='task', required=True)
    plot = sub.add_parser('plot_curve', help='loss terms and metrics per iteration')
    plot.add_argument('logs', nargs='+', help='scalars.json files or work dirs')
    plot.add_argument('--keys', nargs='+', help='what to plot (default: every loss term and metric)')
    plot.add_argument('--legend', nargs='+', help='one name per log')
    plot.add_argument('--title')
    plot.add_argument('--out', help='save the figure (png, pdf...) instead of showing it')
    timing = sub.add_parser('cal_train_time', help='mean time per training iteration')
    timing.add_argument('logs', nargs='+')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.task == 'plot_curve':
        return plot_curve(args.logs, args.keys, args.legend, args.title, args.out)
    return cal_train_time(args.logs)


if __name__ == '__main__':
    main()
