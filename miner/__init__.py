"""framework-miner: which deep-learning framework do the papers at a venue actually use."""

__version__ = "0.1.0"
__all__ = ["__version__"]
