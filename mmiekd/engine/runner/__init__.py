from .distill_runner import DistillRunner
from .iekd_phase1_loop import IEKDPhase1Loop

__all__ = ['DistillRunner', 'IEKDPhase1Loop']
