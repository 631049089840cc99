#!/usr/bin/env bash
# Distributed training with torchrun, one process per GPU, over NNODES nodes.
#   bash tools/dist_train.sh CONFIG GPUS [train.py args]
#   NNODES=2 NODE_RANK=0 MASTER_ADDR=10.1.1.1 PORT=29500 bash tools/dist_train.sh CONFIG 8   # on node 0
#   NNODES=2 NODE_RANK=1 MASTER_ADDR=10.1.1.1 PORT=29500 bash tools/dist_train.sh CONFIG 8   # on node 1
# Without a GPU the processes use the gloo backend. PYTHON chooses the interpreter.
set -euo pipefail
CONFIG=$1
GPUS=$2
exec bash "$(dirname "$0")/torchrun_launch.sh" "$GPUS" train.py "$CONFIG" "${@:3}"
