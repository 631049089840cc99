#!/usr/bin/env bash
# Creates (or checks) the project's environment in .venv/ with the pinned, tested OpenMMLab stack.
# Idempotent: with everything in place it returns in seconds (a stamp records what was installed).
# Usage: bash tools/setup_env.sh      (MMIEKD_PYTHON=python3.11 to choose the interpreter)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
CONSTRAINTS="$ROOT/requirements/constraints.txt"
PY="${MMIEKD_PYTHON:-python3.11}"
STAMP="$VENV/.mmiekd-env-stamp"
# The stamp changes whenever the pins or the package metadata change, which forces a re-check.
WANT="$(cat "$CONSTRAINTS" "$ROOT/setup.cfg" "$ROOT/requirements/"*.txt | sha256sum | cut -c1-16)"

say() { printf '[setup_env] %s\n' "$*"; }

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ] && [ -x "$VENV/bin/python" ]; then
  exit 0
fi

if [ ! -x "$VENV/bin/python" ]; then
  say "creating $VENV with $($PY --version 2>&1)"
  "$PY" -m venv "$VENV"
fi
VPY="$VENV/bin/python"
PIP=("$VPY" -m pip install --disable-pip-version-check -c "$CONSTRAINTS")

say "step 1/4: torch 2.13.0 + torchvision 0.28.0 (CUDA build, about 5.5 GB; 1-3 minutes on a fresh machine)"
"${PIP[@]}" -q "torch==2.13.0,!=2.13.0+cpu" torchvision setuptools wheel ninja numpy

if "$VPY" -c "import mmcv, mmcv.ops; assert mmcv.__version__ == '2.1.0'" >/dev/null 2>&1; then
  say "step 2/4: mmcv 2.1.0 with ops already installed"
else
  say "step 2/4: building mmcv 2.1.0 with compiled ops against this torch."
  say "          This takes about 7 minutes on 2 cores with ninja (up to 20 without); pip caches the wheel,"
  say "          so later set-ups on this machine take seconds."
  # --no-build-isolation: compile against the torch just installed, not a fresh one in a build env.
  PATH="$VENV/bin:$PATH" MMCV_WITH_OPS=1 MAX_JOBS="${MAX_JOBS:-$(nproc)}" \
    "${PIP[@]}" --no-build-isolation "mmcv==2.1.0"
fi

say "step 3/4: mmengine, mmdet, mmpretrain, pycocotools and test tools"
"${PIP[@]}" -q -r "$ROOT/requirements/runtime.txt" -r "$ROOT/requirements/tests.txt"

say "step 4/4: mmiekd itself (editable)"
"${PIP[@]}" -q --no-build-isolation --no-deps -e "$ROOT"

"$VPY" - <<'PY'
import torch, torchvision, mmengine, mmcv, mmcv.ops, mmdet, mmpretrain, mmiekd
print('[setup_env] ok: torch', torch.__version__, '| torchvision', torchvision.__version__,
      '| mmengine', mmengine.__version__, '| mmcv', mmcv.__version__, '| mmdet', mmdet.__version__,
      '| mmpretrain', mmpretrain.__version__, '| mmiekd', mmiekd.__version__)
PY
echo "$WANT" > "$STAMP"
