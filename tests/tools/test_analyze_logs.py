"""tools/analysis_tools/analyze_logs.py: per-term loss curves and metrics of one run, or several compared."""
import json
import os.path as osp
import sys

import pytest
from conftest import ROOT

sys.path.insert(0, osp.join(ROOT, 'tools', 'analysis_tools'))
import analyze_logs  # noqa: E402


def write_log(path, scale=1.0):
    records = [dict(lr=0.01, iter=i, step=i, time=0.1 * i, loss=2.0 * scale / i, loss_cls=1.0 * scale / i,
                    **{'distill.loss_fpn': 0.5 * scale / i, 'ie.loss_exp': -0.2 * scale}) for i in range(1, 7)]
    records.insert(3, {'coco/bbox_mAP': 0.1 * scale, 'teacher/coco/bbox_mAP': 0.3, 'step': 3})
    records.append({'coco/bbox_mAP': 0.2 * scale, 'teacher/coco/bbox_mAP': 0.3, 'step': 6})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('\n'.join(json.dumps(r) for r in records) + '\n')
    return str(path)


def test_loss_curves_and_default_keys(tmp_path):
    records = analyze_logs.read_log(write_log(tmp_path / 'a.json'))
    curves = analyze_logs.loss_curves(records)
    assert sorted(curves) == ['distill.loss_fpn', 'ie.loss_exp', 'loss', 'loss_cls']
    assert curves['loss_cls'][:2] == [[1, 1.0], [2, 0.5]]
    keys = analyze_logs.default_keys(records)
    assert keys == ['loss', 'loss_cls', 'distill.loss_fpn', 'ie.loss_exp', 'coco/bbox_mAP', 'teacher/coco/bbox_mAP']
    assert analyze_logs.curve(records, 'coco/bbox_mAP') == [[3, 0.1], [6, 0.2]]


def test_plot_curve_draws_one_panel_per_key_and_one_line_per_run(tmp_path):
    a = write_log(tmp_path / 'run_a' / '20260101_000000' / 'vis_data' / 'scalars.json')
    b = write_log(tmp_path / 'b.json', scale=2.0)
    out = tmp_path / 'curves.png'
    fig = analyze_logs.main(['plot_curve', str(tmp_path / 'run_a'), b, '--keys', 'distill.loss_fpn',
                             'coco/bbox_mAP', '--legend', 'A', 'B', '--out', str(out)])
    assert out.is_file() and out.stat().st_size > 1000
    panels = [ax for ax in fig.axes if ax.lines]
    assert [ax.get_title() for ax in panels] == ['distill.loss_fpn', 'coco/bbox_mAP']
    fpn = panels[0].lines
    assert [line.get_label() for line in fpn] == ['A', 'B']
    assert list(fpn[1].get_ydata()) == pytest.approx([1.0 / i for i in range(1, 7)])
    assert list(panels[1].lines[0].get_xdata()) == [3, 6]
    assert a.endswith('scalars.json')


def test_bad_keys_legend_and_timing(tmp_path):
    log = write_log(tmp_path / 'a.json')
    with pytest.raises(ValueError, match=r"--keys: no log has \['nope'\]"):
        analyze_logs.plot_curve([log], keys=['nope'], out=str(tmp_path / 'x.png'))
    with pytest.raises(ValueError, match='--legend: 2 names for 1 logs'):
        analyze_logs.plot_curve([log], legend=['a', 'b'], out=str(tmp_path / 'x.png'))
    with pytest.raises(FileNotFoundError, match='neither a JSON log nor a work dir'):
        analyze_logs.read_log(str(tmp_path / 'empty_dir'))
    timing = analyze_logs.cal_train_time([log])[0]
    assert timing['iters'] == 6 and timing['mean'] == pytest.approx(0.35) and timing['slowest'] == pytest.approx(0.6)
