"""Rule gpu-candidate (OA501)."""

from __future__ import annotations

from optadvise.rules.base import Rule


class GpuCandidate(Rule):
    """Large array work worth moving to CuPy when a GPU is present."""

    slug = "gpu-candidate"
    code = "OA501"
    summary = "Large array work worth moving to CuPy when a GPU is present"
    fixes = ('cupy',)
