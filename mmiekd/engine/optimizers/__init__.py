from .autocast_optim_wrapper import CPUAutocastOptimWrapper
from .branch_constructor import BranchOptimWrapperConstructor

__all__ = ['CPUAutocastOptimWrapper', 'BranchOptimWrapperConstructor']
