"""tools/analysis_tools/benchmark_distill.py runs on tiny recipes and reports every figure (no timing asserted)."""
import json
import os.path as osp
import sys

from conftest import ROOT

sys.path.insert(0, osp.join(ROOT, 'tools', 'analysis_tools'))


def test_reports_ratio_limit_and_memory(tmp_path):
    import benchmark_distill
    out = tmp_path / 'fitnet.json'
    result = benchmark_distill.main([osp.join(ROOT, 'configs', 'kd', 'tiny', 'fitnet_faster_rcnn_tiny_shapes.py'),
                                     '--iters', '1', '--warmup', '1', '--size', '64', '64', '--json', str(out)])
    assert json.loads(out.read_text()) == result
    assert result['distill_s'] > 0 and result['student_s'] > 0 and result['teacher_forward_s'] > 0
    assert result['limit_ratio'] > 1 and result['peak_rss_mb'] > 0


def test_sskd_reports_every_stage_and_the_head_phase():
    import benchmark_distill
    result = benchmark_distill.main([osp.join(ROOT, 'configs', 'sskd', 'tiny', 'sskd_faster_rcnn_tiny_shapes.py'),
                                     '--iters', '1', '--warmup', '0', '--size', '64', '64'])
    assert [s['stage'] for s in result['stages']] == ['stage 1', 'stage 2', 'stage 3', 'stage 4', 'head phase']
    assert all(s['step_s'] > 0 for s in result['stages'])
