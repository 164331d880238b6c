"""Builders of measured facts: the small hand-made `Profile`s that the rules' MEASURED examples carry.

Every record refers to `EXAMPLE_FILE`, the name examples are analysed under. Figures are given, not
sampled, so an example states exactly which facts make a rule fire and which keep it silent.
"""

from __future__ import annotations

import math
import re

from optadvise.examples import EXAMPLE_FILE
from optadvise.model import (
    MODULE,
    ArrayInfo,
    FunctionStat,
    GilStat,
    LineStat,
    LoadStat,
    OptimizeStat,
    Profile,
    ThreadStat,
)

GIB = 2**30
MIB = 2**20


def facts(*, functions: tuple[FunctionStat, ...] = (), arrays: tuple[ArrayInfo, ...] = (),
          threads: tuple[ThreadStat, ...] = (), loads: tuple[LoadStat, ...] = (),
          optimizers: tuple[OptimizeStat, ...] = (), gil: GilStat | None = None, gpu: str | None = None,
          wall_s: float = 1.0, ram_bytes: int = 16 * GIB, cpu_count: int = 2,
          peak_rss_bytes: int = 0) -> Profile:
    """A profile of one clean run of `EXAMPLE_FILE` holding the given facts."""
    return Profile(script=EXAMPLE_FILE, argv=[], cwd=".", returncode=0, wall_s=wall_s, cpu_s=wall_s,
                   peak_rss_bytes=peak_rss_bytes, ram_bytes=ram_bytes, cpu_count=cpu_count,
                   functions=list(functions), arrays=list(arrays), threads=list(threads),
                   loads=list(loads), optimizers=list(optimizers), gil=gil, gpu=gpu)


def hot(function: str, lineno: int, share: float, lines: dict[int, float]) -> FunctionStat:
    """`function` (defined on `lineno`; MODULE for the top level) takes `share` of the run, split over
    its `lines` by share of the function's own time."""
    return FunctionStat(name=function.rsplit(".", 1)[-1], filename=EXAMPLE_FILE, lineno=lineno,
                        calls=1, own_s=share, cum_s=share, share=share, user=True,
                        lines=[LineStat(n, hits=1, time_s=s * share, share=s) for n, s in lines.items()])


def array(name: str, shape: tuple[int, ...], dtype: str = "float64", *, function: str = MODULE,
          zero_fraction: float | None = None, values: tuple[float, float] | None = None,
          float32_exact: bool | None = None) -> ArrayInfo:
    """An ndarray seen under `name` in `function` (its size follows from shape and dtype), holding
    `values` (observed min, max) when given."""
    itemsize = int(re.sub(r"\D", "", dtype) or 64) // 8
    lo, hi = values if values is not None else (None, None)
    return ArrayInfo(name=name, function=function, filename=EXAMPLE_FILE, kind="ndarray",
                     shape=shape, dtype=dtype, nbytes=math.prod(shape) * itemsize,
                     zero_fraction=zero_fraction, value_min=lo, value_max=hi, float32_exact=float32_exact)


def numbers(name: str, shape: tuple[int, ...], dtype: str = "float", *, function: str = MODULE) -> ArrayInfo:
    """A Python list of numbers (`shape` (rows, cols) for a list of lists) seen under `name`; `dtype` is
    the type of its first element, as the profiler records it."""
    return ArrayInfo(name=name, function=function, filename=EXAMPLE_FILE, kind="list", shape=shape,
                     dtype=dtype, nbytes=8 * math.prod(shape))


def thread(target: str, cpu_s: float, wall_s: float) -> ThreadStat:
    """A thread that ran `target` for `wall_s` seconds, `cpu_s` of them on a CPU."""
    return ThreadStat(name=f"Thread({target})", target=target, filename=EXAMPLE_FILE, lineno=1,
                      cpu_s=cpu_s, wall_s=wall_s)


def load(api: str, lineno: int, path: str, file_bytes: int, seconds: float) -> LoadStat:
    """A whole-file load by `api` on line `lineno` of the example (no memory map)."""
    return LoadStat(api=api, path=path, filename=EXAMPLE_FILE, lineno=lineno, function=MODULE,
                    file_bytes=file_bytes, result_bytes=file_bytes, seconds=seconds)


def optimizer(lineno: int, *, n_params: int, iterations: int, fun_calls: int, fun_s: float,
              seconds: float, method: str = "", has_jac: bool = False,
              api: str = "scipy.optimize.minimize") -> OptimizeStat:
    """One optimizer call on line `lineno` of the example's top level."""
    return OptimizeStat(api=api, filename=EXAMPLE_FILE, lineno=lineno, function=MODULE, method=method,
                        has_jac=has_jac, n_params=n_params, iterations=iterations, fun_calls=fun_calls,
                        fun_s=fun_s, seconds=seconds)
