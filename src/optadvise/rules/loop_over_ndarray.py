"""Rule loop-over-ndarray (OA101)."""

from __future__ import annotations

from optadvise.rules.base import Rule


class LoopOverNdarray(Rule):
    """Python-level loop indexing or iterating NumPy arrays in a hot spot."""

    slug = "loop-over-ndarray"
    code = "OA101"
    summary = "Python-level loop indexing or iterating NumPy arrays in a hot spot"
    fixes = ('vectorize', 'numba',)
