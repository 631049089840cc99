"""The main job (tools/run_main_job.py) end to end with a handful of iterations: every run goes through
tools/train.py, and the table and the plot are written."""
import os.path as osp
import sys

import pytest
from conftest import ROOT

sys.path.insert(0, osp.join(ROOT, 'tools'))


def test_main_job_trains_every_method_and_writes_the_table_and_plot(tmp_path, capsys):
    import run_main_job
    work_dir = tmp_path / 'job'
    run_main_job.main(['--work-dir', str(work_dir), '--data-root', str(tmp_path / 'data'), '--iters', '5',
                       '--teacher-iters', '5', '--num-train', '8', '--num-val', '4', '--img-size', '64',
                       '--batch-size', '2'])
    out = capsys.readouterr().out
    report = (work_dir / 'results.md').read_text()
    rows = [line for line in report.splitlines() if line.startswith('| Faster R-CNN')]
    assert len(rows) == 6
    for row, method in zip(rows, ['trained alone', 'trained alone', 'FitNet', 'IE-KD', 'SSKD', 'IAKD']):
        cells = [c.strip() for c in row.strip('|').split('|')]
        assert cells[1].startswith(method)
        ap, ap50, seconds = float(cells[2]), float(cells[3]), float(cells[4])
        assert 0 <= ap <= ap50 <= 100 and seconds > 0
    assert 'The teacher' in report and report.count('the student trained alone on this data') == 4
    assert (work_dir / 'results.png').stat().st_size > 10_000
    assert report.strip() in out  # the table is printed
    assert 'Iter(train)' in out  # the progress display
    # An interrupted or repeated job does not train again what has finished.
    run_main_job.main(['--work-dir', str(work_dir), '--data-root', str(tmp_path / 'data'), '--iters', '5',
                       '--teacher-iters', '5', '--num-train', '8', '--num-val', '4', '--img-size', '64',
                       '--batch-size', '2', '--runs', 'teacher', 'student'])
    assert capsys.readouterr().out.count('already trained') == 2


def test_main_job_refuses_too_few_iterations():
    import run_main_job
    with pytest.raises(SystemExit):
        run_main_job.parse_args(['--iters', '3'])
