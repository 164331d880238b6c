"""What the child harness observed, turned into `optadvise.model` records for its report.

The sampler's stacks become the function table (`FunctionStat`: own and cumulative wall time of
every thread, call counts extrapolated from the time cProfile was on, built-ins likewise), its
per-line wall time, line_profiler's hit counts and the memory windows' bytes the `LineStat`s of the
script's functions, and its aggregated stacks the bounded `StackSample` list; `peak_rss` reads the
process's peak resident memory.
"""

from __future__ import annotations

import cProfile
import pstats
import resource
import sys
import types
from typing import Any

from optadvise.model import FunctionStat, LineStat, StackSample
from optadvise.profiling.memory import MemoryWindows
from optadvise.profiling.probes import qualname
from optadvise.profiling.sampler import CALIBRATION_CALLS, OWN_DIR, CodeKey, Sampler, call_overhead

MAX_FUNCTIONS = 60  # the hottest, by cumulative time
MAX_STACKS = 200  # the heaviest distinct stacks kept for viewers
MIN_FOREIGN_SHARE = 0.01  # code outside the script is kept from this share of the run on
MAX_PROFILE_INFLATION = 5.0  # cProfile slows even a loop of trivial calls by less
PROFILER_DISABLE = "<method 'disable' of '_lsprof.Profiler' objects>"

Row = tuple[float, float, float]  # calls, own seconds, cumulative seconds


def function_stats(sampler: Sampler, script: str, wall_s: float) -> list[FunctionStat]:
    """The hottest functions of the run, the script's own with their lines; optadvise's own left out.

    A run cProfile covered whole (`sampler.exact`) keeps cProfile's own figures. Otherwise Python
    functions take their times from the sampler and their calls from cProfile: the count it saw
    (warm-up and windows) plus, for a function still called in the windows, its rate over all
    the profiled CPU time applied to the unprofiled rest (at least 1 for a function sampled; one
    called in the warm-up only keeps its exact count). Built-ins, which have no frame to sample,
    take all three figures that way, and their time is taken out of their Python callers' own
    time. The profiled CPU time is first cut by what profiling its calls cost (`_overhead`: the
    calibrations taken at the end of each profiled stretch), by at most a factor
    MAX_PROFILE_INFLATION.
    """
    warm = _stats(sampler.warm_profiler, sampler.warm_cpu_s > 0, from_start=True)  # set by `stop`
    if sampler.exact:
        rows = {key: (float(nc), tt, ct) for key, (_cc, nc, tt, ct, _callers) in warm.items()}
        return _table(rows, set(), sampler, script, wall_s, exact=True)
    windowed = _stats(sampler.profiler, sampler.profile_cpu_s > 0)
    profiled_s = sampler.warm_cpu_s - sampler.warm_traced_cpu_s + sampler.profile_cpu_s
    events = sum(row[1] for stats in (warm, windowed) for row in stats.values())
    useful = max(profiled_s - events * _overhead(sampler), profiled_s / MAX_PROFILE_INFLATION)
    rest = max(0.0, sampler.cpu_s - sampler.warm_cpu_s - sampler.profile_cpu_s - sampler.traced_cpu_s)
    rows = {}
    for i, code in sampler.code_info().items():
        if i in sampler.cum:
            key = (code.co_filename, code.co_firstlineno, code.co_name)
            calls, own, cum = rows.get(key, (0.0, 0.0, 0.0))
            rows[key] = (calls, own + sampler.own.get(i, 0.0), cum + sampler.cum[i])
    sampled = set(rows)
    for key in set(warm) | set(windowed):
        _cc, w_nc, w_tt, w_ct, w_callers = warm.get(key, (0, 0, 0.0, 0.0, {}))
        _cc, nc, tt, ct, callers = windowed.get(key, (0, 0, 0.0, 0.0, {}))
        calls, own, cum = rows.get(key, (0.0, 0.0, 0.0))
        scale = (useful + rest) / useful if key in windowed else 1.0  # still called: extrapolate
        if key in sampled:
            rows[key] = ((w_nc + nc) * scale, own, cum)
            continue
        rows[key] = ((w_nc + nc) * scale, (w_tt + tt) * scale, (w_ct + ct) * scale)
        if key[0] == "~":  # a built-in: its time is not its callers' own time
            spent: dict[CodeKey, float] = {}
            for profiled in (w_callers, callers):
                for caller, (_ccc, _ncc, _ttc, ctc) in profiled.items():
                    spent[caller] = spent.get(caller, 0.0) + ctc * scale
            for caller, seconds in spent.items():
                if caller in sampled:
                    c_calls, c_own, c_cum = rows[caller]
                    rows[caller] = (c_calls, max(0.0, c_own - seconds), c_cum)
    return _table(rows, sampled, sampler, script, wall_s, exact=False)


def _overhead(sampler: Sampler) -> float:
    """cProfile's cost per call over the profiled stretches: the median of their calibrations,
    weighted by their CPU time (a fresh calibration if none was taken)."""
    measured = sorted((cost, spent) for spent, cost in sampler.overheads)
    half, seen = sum(spent for _cost, spent in measured) / 2, 0.0
    for cost, spent in measured:
        seen += spent
        if seen >= half:
            return cost
    return call_overhead(CALIBRATION_CALLS * 10)


StatsRow = tuple[int, int, float, float, dict[CodeKey, Any]]  # pstats: cc, nc, tt, ct, callers


def _stats(profiler: cProfile.Profile, ran: bool, *, from_start: bool = False) -> dict[CodeKey, StatsRow]:
    """cProfile's rows without optadvise's own code; for a profiler on `from_start` of the script,
    also without the built-ins it saw called from outside (the harness's `exec` of the script)."""
    if not ran:
        return {}
    stats: dict[CodeKey, StatsRow] = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    return {key: row for key, row in stats.items()
            if not _own_frame(key) and not (from_start and key[0] == "~" and not row[4])}


def _own_frame(key: CodeKey) -> bool:
    """optadvise's own code, or the profiler's switching itself off."""
    return key[0].startswith(OWN_DIR) or key[2] == PROFILER_DISABLE


def _table(rows: dict[CodeKey, Row], sampled: set[CodeKey], sampler: Sampler, script: str, wall_s: float,
           exact: bool) -> list[FunctionStat]:
    """The rows as `FunctionStat`s, hottest first; sampled tables drop code outside the script that
    holds under MIN_FOREIGN_SHARE of the run."""
    lines = line_stats(sampler.samples, sampler.traced(), sampler.memory)
    total = max(wall_s, 1e-9)
    out = []
    for key, (calls, own, cum) in rows.items():
        filename, lineno, name = key
        user = filename == script
        if filename.startswith(OWN_DIR) or (not exact and not user and cum / total < MIN_FOREIGN_SHARE
                                            and own / total < MIN_FOREIGN_SHARE):
            continue
        if filename == "~":  # built-ins: "<built-in method numpy.dot>"
            filename, lineno = "", 0
        n = round(calls)
        out.append(FunctionStat(name=name, filename=filename, lineno=lineno,
                                calls=max(n, 1) if key in sampled else n,
                                own_s=own, cum_s=cum, share=min(cum / total, 1.0), user=user,
                                lines=lines.get(key, []) if user else [], sampled=not exact))
    out.sort(key=lambda r: r.cum_s, reverse=True)
    return out[:MAX_FUNCTIONS]


def stack_samples(sampler: Sampler) -> list[StackSample]:
    """The heaviest distinct stacks (outermost frame first), identical labelled stacks merged."""
    codes = sampler.code_info()
    merged: dict[tuple[str, tuple[str, ...]], float] = {}
    for (thread, ids), seconds in sampler.stacks.items():
        frames = tuple(_label(codes[i]) for i in reversed(ids))
        merged[(thread, frames)] = merged.get((thread, frames), 0.0) + seconds
    heaviest = sorted(merged.items(), key=lambda kv: kv[1], reverse=True)[:MAX_STACKS]
    return [StackSample(frames=list(frames), thread=thread, weight_s=seconds)
            for (thread, frames), seconds in heaviest]


def _label(code: types.CodeType) -> str:
    return f"{qualname(code)} ({code.co_filename}:{code.co_firstlineno})"


def line_stats(samples: dict[CodeKey, dict[int, float]], traced: dict[CodeKey, dict[int, tuple[int, float]]],
               memory: MemoryWindows) -> dict[CodeKey, list[LineStat]]:
    """Per code object: each line's sampled time and share, with line_profiler's hits and time and
    the bytes allocated on it in the memory windows."""
    net, peak = memory.net, memory.peak
    out: dict[CodeKey, list[LineStat]] = {}
    for key in set(traced) | set(samples):
        sampled = samples.get(key, {})
        lp = traced.get(key, {})
        total = sum(sampled.values()) or 1.0
        out[key] = [LineStat(lineno=ln, hits=int(lp.get(ln, (0, 0.0))[0]),
                             time_s=sampled.get(ln, 0.0), share=sampled.get(ln, 0.0) / total,
                             traced_s=lp.get(ln, (0, 0.0))[1], alloc_bytes=net.get(ln, 0),
                             peak_bytes=peak.get(ln, 0))
                    for ln in sorted(set(sampled) | set(lp))]
    return out


def peak_rss() -> int:
    """Peak resident memory of this process and its waited-for children, in bytes (Linux: KiB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    scale = 1 if sys.platform == "darwin" else 1024
    return max(own, kids) * scale
