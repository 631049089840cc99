from .conv_connector import ConvConnector
from .factor_autoencoder import FactorAutoEncoder, FactorEncoder
from .linear_connector import LinearConnector

__all__ = ['ConvConnector', 'LinearConnector', 'FactorEncoder', 'FactorAutoEncoder']
