"""What the child harness observed, turned into `optadvise.model` records for its report.

cProfile's function table, the sampler's per-line wall time and line_profiler's hit counts become
`FunctionStat`s with their `LineStat`s; `peak_rss` reads the process's peak resident memory.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import resource
import sys

from optadvise.model import FunctionStat, LineStat
from optadvise.profiling.sampler import CodeKey

MAX_FUNCTIONS = 60  # the hottest, by cumulative time
MIN_FOREIGN_SHARE = 0.01  # code outside the script is kept from this share of the run on
OWN_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # optadvise's own code
PROFILER_DISABLE = "<method 'disable' of '_lsprof.Profiler' objects>"


def function_stats(profiler: cProfile.Profile, script: str, wall_s: float,
                   samples: dict[CodeKey, dict[int, float]],
                   traced: dict[CodeKey, dict[int, tuple[int, float]]]) -> list[FunctionStat]:
    """The hottest functions cProfile saw, the script's own with their lines; optadvise's own left out."""
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    lines = line_stats(samples, traced)
    total = max(wall_s, 1e-9)
    rows = []
    for (filename, lineno, name), (_cc, nc, tt, ct, _callers) in stats.items():
        if filename.startswith(OWN_DIR) or name == PROFILER_DISABLE:
            continue
        user = filename == script
        share = ct / total
        if not user and share < MIN_FOREIGN_SHARE and tt / total < MIN_FOREIGN_SHARE:
            continue
        if filename == "~":  # built-ins: "<built-in method numpy.dot>"
            filename, lineno = "", 0
        rows.append(FunctionStat(name=name, filename=filename, lineno=lineno, calls=nc, own_s=tt,
                                 cum_s=ct, share=min(share, 1.0), user=user,
                                 lines=lines.get((filename, lineno, name), []) if user else []))
    rows.sort(key=lambda r: r.cum_s, reverse=True)
    return rows[:MAX_FUNCTIONS]


def line_stats(samples: dict[CodeKey, dict[int, float]],
               traced: dict[CodeKey, dict[int, tuple[int, float]]]) -> dict[CodeKey, list[LineStat]]:
    """Per code object: each line's sampled time and share, with line_profiler's hits and time."""
    out: dict[CodeKey, list[LineStat]] = {}
    for key in set(traced) | set(samples):
        sampled = samples.get(key, {})
        lp = traced.get(key, {})
        total = sum(sampled.values()) or 1.0
        out[key] = [LineStat(lineno=ln, hits=int(lp.get(ln, (0, 0.0))[0]),
                             time_s=sampled.get(ln, 0.0), share=sampled.get(ln, 0.0) / total,
                             traced_s=lp.get(ln, (0, 0.0))[1])
                    for ln in sorted(set(sampled) | set(lp))]
    return out


def peak_rss() -> int:
    """Peak resident memory of this process and its waited-for children, in bytes (Linux: KiB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    scale = 1 if sys.platform == "darwin" else 1024
    return max(own, kids) * scale
