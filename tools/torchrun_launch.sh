#!/usr/bin/env bash
# Shared by dist_train.sh and dist_test.sh: runs a tools/ script under torchrun with one process per GPU
# over NNODES nodes. Usage: torchrun_launch.sh NPROC SCRIPT [script args]
# Environment: NNODES (1), NODE_RANK (0), MASTER_ADDR (127.0.0.1), PORT (29500), and PYTHON (the
# repository's .venv if present and no other virtualenv is active, else `python`).
set -euo pipefail
NPROC=$1
SCRIPT=$2
HERE="$(cd "$(dirname "$0")" && pwd)"
if [ -z "${PYTHON:-}" ]; then
  if [ -z "${VIRTUAL_ENV:-}" ] && [ -x "$HERE/../.venv/bin/python" ]; then PYTHON="$HERE/../.venv/bin/python"; else PYTHON=python; fi
fi
PYTHONPATH="$HERE/..${PYTHONPATH:+:$PYTHONPATH}" \
"$PYTHON" -m torch.distributed.run \
    --nnodes="${NNODES:-1}" \
    --node_rank="${NODE_RANK:-0}" \
    --master_addr="${MASTER_ADDR:-127.0.0.1}" \
    --nproc_per_node="$NPROC" \
    --master_port="${PORT:-29500}" \
    "$HERE/$SCRIPT" "${@:3}" --launcher pytorch
