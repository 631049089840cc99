"""mmiekd: Inheritance-and-Exploration, Stage-by-Stage and Interactive knowledge distillation for
MMDetection 3.x and MMPretrain 1.x."""
from .version import __version__

__all__ = ['__version__']
