#!/usr/bin/env bash
# The GPU figures and checks of docs/benchmark.md, in one run on one GPU:
#   1. the speed tool (benchmark_distill.py --device cuda) on every recipe of the benchmark table: detection at
#      the COCO training size (2 images of 800x1333), CIFAR at batch 128; IE-KD's teacher also in bf16;
#   2. fp16 AMP training (`tools/train.py --amp`) of the tiny IE-KD, SSKD, IAKD and IE-DML recipes;
#   3. NCCL, DDP and SyncBN (`sync_bn=torch`) through tools/dist_train.sh with one GPU per process.
# Usage: bash tools/analysis_tools/gpu_checks.sh [OUT_DIR] [GPUS]      (PYTHON chooses the interpreter)
#   QUICK=1 DEVICE=cpu: a dry run of the same steps (small sizes, one timed step) to check the script itself;
#   SPEED_TIMEOUT (default 360 s) bounds the speed section so that the training checks run in any case.
# Writes OUT_DIR/*.json (the speed tool's figures), OUT_DIR/*.log and prints one line per check.
# The training checks use the embedded data (data/shapes_coco, data/digits_small, data/digits: the main job and
# `make demo ARGS="--task cls"` write them).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="$(mkdir -p "${1:-$ROOT/work_dirs/gpu_checks}" && cd "${1:-$ROOT/work_dirs/gpu_checks}" && pwd)"
GPUS="${2:-1}"
PY="${PYTHON:-python}"
cd "$ROOT"
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
FAILED=0
export DEVICE="${DEVICE:-cuda}" QUICK="${QUICK:-0}"

"$PY" - <<'PY' | tee "$OUT/env.log"
import torch, mmcv, mmdet, mmengine, mmpretrain
print('torch', torch.__version__, '| CUDA', torch.version.cuda, '| cuDNN', torch.backends.cudnn.version(),
      '| GPU', torch.cuda.get_device_name(0) if torch.cuda.is_available() else None, '| mmcv', mmcv.__version__, '| mmengine', mmengine.__version__,
      '| mmdet', mmdet.__version__, '| mmpretrain', mmpretrain.__version__)
from mmcv.ops import RoIAlign, nms  # the compiled CUDA ops Faster R-CNN needs
import os
device = os.environ['DEVICE']
boxes = torch.tensor([[0., 0., 10., 10.], [1., 1., 10., 10.], [20., 20., 30., 30.]], device=device)
kept = nms(boxes, torch.tensor([0.9, 0.8, 0.7], device=device), 0.5)[1]
assert kept.tolist() == [0, 2], kept
feat = torch.arange(16., device=device).view(1, 1, 4, 4)
pooled = RoIAlign((1, 1), 1.0, 2, aligned=True)(feat, torch.tensor([[0., 0., 0., 4., 4.]], device=device))
assert abs(pooled.item() - 7.5) < 1e-4, pooled
print(f'mmcv ops on {device}: nms and RoIAlign ok')
PY

# 1. The speed tool: one process for every figure (imports once); a recipe that fails is reported, the rest run.
timeout "${SPEED_TIMEOUT:-360}" "$PY" - "$OUT" <<'PY'
import os, os.path as osp, sys, traceback
sys.path.insert(0, 'tools/analysis_tools')
from benchmark_distill import main
out, device, quick = sys.argv[1], os.environ['DEVICE'], os.environ['QUICK'] == '1'
det = ['--size', *(['64', '64'] if quick else ['800', '1333']), '--batch', '2', '--iters', '1' if quick else '5',
       '--warmup', '0' if quick else '3', '--device', device]
cifar = ['--size', '32', '32', '--batch', '8' if quick else '128', '--iters', '1' if quick else '10',
         '--warmup', '0' if quick else '3', '--device', device]
runs = [
    ('fitnet_faster_rcnn', 'configs/kd/fitnet_faster_rcnn_r50_r101.py', det),
    ('iekd_faster_rcnn', 'configs/iekd/faster_rcnn_r50_r101.py', det),
    ('iekd_faster_rcnn_teacher_bf16', 'configs/iekd/faster_rcnn_r50_r101.py', det + ['--teacher-dtype', 'bf16']),
    ('sskd_faster_rcnn', 'configs/sskd/faster_rcnn_r50_r101.py', det),
    ('iakd_faster_rcnn', 'configs/iakd/faster_rcnn_r50_r101.py', det),
    ('iakd_faster_rcnn_p0', 'configs/iakd/faster_rcnn_r50_r101.py', det + ['--swap-prob', '0']),
    ('kd_cifar100', 'configs/kd/cifar100_resnet56_resnet20.py', cifar),
    ('iekd_cifar100', 'configs/iekd/cifar100_resnet56_resnet20.py', cifar),
    ('iedml_cifar100', 'configs/iekd/cifar100_iedml_resnet32_resnet32.py', cifar),
    ('iedml_cifar100_pool2', 'configs/iekd/cifar100_iedml_resnet32_resnet32.py',
     cifar + ['--cfg-options', 'model.ie.pool=2']),
    ('sskd_cifar100', 'configs/sskd/cifar100_resnet56_resnet20.py', cifar),
    ('iakd_cifar100', 'configs/iakd/cifar100_resnet56_resnet20.py', cifar),
]
failed = 0
for name, config, extra in runs:
    print(f'=== speed: {name}', flush=True)
    try:
        main([config, *extra, '--json', osp.join(out, f'{name}.json')])
    except BaseException:  # noqa: B036 (SystemExit too: report it and go on)
        failed += 1
        traceback.print_exc()
        print(f'FAILED speed: {name}', flush=True)
print(f'speed: {len(runs) - failed}/{len(runs)} recipes timed', flush=True)
PY
[ $? -eq 0 ] || FAILED=1
# The figures as one table (ratios to the student alone's step; SSKD: its stages' and head phase's steps).
"$PY" - "$OUT" <<'PY'
import glob, json, os.path as osp, sys
print('| recipe | student s | step s | ratio | limit | vs limit | method modules (vs limit with them) | step memory (MB, student / distill) |')
print('|---|---|---|---|---|---|---|---|')
for path in sorted(glob.glob(osp.join(sys.argv[1], '*.json'))):
    r = json.load(open(path))
    name = osp.basename(path)[:-5]
    for part in r.get('stages') or [r]:
        label = name + (f" {part.get('stage', '')}" if 'stages' in r else '')
        step = part.get('distill_s', part.get('step_s'))
        if step is None or 'student_s' not in part:
            continue
        limit, over = part.get('limit_ratio'), part.get('over_limit')
        share = (f"{r['method_share']:.1%} of the step; with them {r['over_limit_with_method']:+.1%}"
                 if 'method_share' in r and part is r else '-')
        memory = (f"{part.get('student_step_memory_mb', 0):.0f} / "
                  f"{part.get('distill_step_memory_mb', part.get('step_memory_mb', 0)):.0f}")
        print(f"| {label} | {part['student_s']:.4f} | {step:.4f} | {step / part['student_s']:.3f}x | "
              f"{limit:.3f}x | {over:+.1%} | {share} | {memory} |" if limit is not None else
              f"| {label} | {part['student_s']:.4f} | {step:.4f} | {step / part['student_s']:.3f}x | - | - | {share} | {memory} |")
PY

# 2. fp16 AMP training (`--amp`) on the GPU, 60 iterations of each tiny recipe, side by side.
train_check() {  # name config [args]
  local name=$1 config=$2
  shift 2
  "$PY" tools/train.py "$config" --work-dir "$OUT/$name" "$@" > "$OUT/$name.log" 2>&1
  local rc=$?
  if [ $rc -eq 0 ] && grep -q "Saving checkpoint at 60 iterations" "$OUT/$name.log"; then
    echo "ok: $name ($(grep -o 'loss: [0-9.naif]*' "$OUT/$name.log" | tail -1))"
  else
    echo "FAILED: $name (exit $rc; $OUT/$name.log)"; tail -n 30 "$OUT/$name.log"; return 1
  fi
}
sskd_short='model.stages.0.length=10 model.stages.1.length=10 model.stages.2.length=10 model.stages.3.length=10 model.head_length=20'
short='train_cfg.max_iters=60 train_cfg.val_interval=60 default_hooks.checkpoint.interval=60 default_hooks.logger.interval=20'
pids=()
train_check amp_iekd configs/iekd/tiny/iekd_faster_rcnn_tiny_shapes.py --amp --cfg-options $short \
  'custom_hooks.0.iters=20' & pids+=($!)
train_check amp_sskd configs/sskd/tiny/sskd_faster_rcnn_tiny_shapes.py --amp --cfg-options $short \
  $sskd_short & pids+=($!)
train_check amp_iakd configs/iakd/tiny/iakd_faster_rcnn_tiny_shapes.py --amp --cfg-options $short & pids+=($!)
train_check amp_iedml configs/iekd/tiny/iedml_cifar_resnet32_digits.py --amp --cfg-options $short & pids+=($!)
for pid in "${pids[@]}"; do wait "$pid" || FAILED=1; done

# 3. NCCL + DDP + SyncBN through the launcher (GPUS processes, one GPU each), and SSKD's stage wrapper on NCCL.
export PORT="${PORT:-29533}"
dist_check() {  # name config [args]
  local name=$1 config=$2
  shift 2
  bash tools/dist_train.sh "$config" "$GPUS" --work-dir "$OUT/$name" "$@" > "$OUT/$name.log" 2>&1
  local rc=$?
  if [ $rc -eq 0 ] && grep -q "Saving checkpoint at 60 iterations" "$OUT/$name.log"; then
    echo "ok: $name ($GPUS process(es), $(grep -o -m1 'Distributed training: [A-Za-z]*' "$OUT/$name.log"); \
$(grep -o 'loss: [0-9.naif]*' "$OUT/$name.log" | tail -1))"
  else
    echo "FAILED: $name (exit $rc; $OUT/$name.log)"; tail -n 30 "$OUT/$name.log"; return 1
  fi
}
dist_check dist_syncbn_iekd configs/iekd/tiny/iekd_faster_rcnn_tiny_shapes.py --cfg-options $short sync_bn=torch \
  'custom_hooks.0.iters=20' || FAILED=1
PORT=$((PORT + 1)) dist_check dist_sskd configs/sskd/tiny/sskd_faster_rcnn_tiny_shapes.py --amp --cfg-options $short \
  $sskd_short || FAILED=1

echo "gpu_checks: $([ $FAILED -eq 0 ] && echo 'all passed' || echo 'some FAILED'); figures in $OUT"
exit $FAILED
