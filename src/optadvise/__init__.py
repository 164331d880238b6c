"""optadvise: find the bottleneck in scientific Python, say why, rewrite it, prove the rewrite."""

__version__ = "0.1.0"
