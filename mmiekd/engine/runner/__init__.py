from .distill_runner import DistillRunner
from .iekd_phase1_loop import IEKDPhase1Loop
from .network_val_loop import NetworkValLoop
from .stage_distributed import StageDistributedDataParallel

__all__ = ['DistillRunner', 'IEKDPhase1Loop', 'NetworkValLoop', 'StageDistributedDataParallel']
