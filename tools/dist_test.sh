#!/usr/bin/env bash
# Distributed testing with torchrun over NNODES nodes (same variables as dist_train.sh).
#   bash tools/dist_test.sh CONFIG CHECKPOINT GPUS [test.py args]
set -euo pipefail
CONFIG=$1
CHECKPOINT=$2
GPUS=$3
exec bash "$(dirname "$0")/torchrun_launch.sh" "$GPUS" test.py "$CONFIG" "$CHECKPOINT" "${@:4}"
