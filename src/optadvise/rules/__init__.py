"""The rule registry: one module per rule, `RULES` lists them (the engine in `rules.engine` runs them)."""

from __future__ import annotations

from optadvise.rules.append_in_loop import AppendInLoop
from optadvise.rules.base import Rule, Site
from optadvise.rules.cpu_bound_threading import CpuBoundThreading
from optadvise.rules.dense_mostly_zero import DenseMostlyZero
from optadvise.rules.finite_difference_gradient import FiniteDifferenceGradient
from optadvise.rules.gpu_candidate import GpuCandidate
from optadvise.rules.large_in_ram_load import LargeInRamLoad
from optadvise.rules.loop_over_ndarray import LoopOverNdarray
from optadvise.rules.oversized_dtype import OversizedDtype

RULES: list[Rule] = [
    LoopOverNdarray(),
    AppendInLoop(),
    DenseMostlyZero(),
    CpuBoundThreading(),
    LargeInRamLoad(),
    GpuCandidate(),
    FiniteDifferenceGradient(),
    OversizedDtype(),
]

__all__ = ["RULES", "Rule", "Site"]
