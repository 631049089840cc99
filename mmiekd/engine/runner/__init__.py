from .distill_runner import DistillRunner

__all__ = ['DistillRunner']
