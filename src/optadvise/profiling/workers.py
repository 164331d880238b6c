"""Child-side probe of worker processes (`multiprocessing`, `ProcessPoolExecutor`): `WorkerProbe`.

The samplers see the script's own process only. This probe wraps process start and join (every
`multiprocessing` process, pool workers included, goes through `BaseProcess`) to count the
processes and their lifetimes, and the pools' submission methods to record which functions ran in
them; the CPU time is the reaped children's, from `getrusage`. Imported by the harness only for
scripts that mention multiprocessing or a process pool.
"""

from __future__ import annotations

import functools
import multiprocessing.pool
import multiprocessing.process
import resource
import time
from collections.abc import Callable
from concurrent.futures import process as cf_process
from typing import Any

from optadvise.model import ChildProcessStat

INTERNAL = ("multiprocessing", "concurrent.futures")  # modules of the pools' own worker loops


class WorkerProbe:
    """Counts worker processes, their lifetimes and the functions submitted to them."""

    def __init__(self) -> None:
        self.started: dict[int, tuple[Any, float]] = {}  # id(process) -> (process, start time)
        self.lifetimes: dict[int, float] = {}  # id(process) -> seconds, once seen ended
        self.targets: dict[str, int] = {}
        self.cpu0 = _children_cpu()

    def install(self) -> None:
        probe = self
        base = multiprocessing.process.BaseProcess
        real_start, real_join = base.start, base.join

        def start(process: Any) -> None:
            real_start(process)
            probe.started[id(process)] = (process, time.perf_counter())
            target = getattr(process, "_target", None)
            if target is not None and not getattr(target, "__module__", "").startswith(INTERNAL):
                probe.record(target, 1)

        def join(process: Any, timeout: float | None = None) -> None:
            real_join(process, timeout)
            seen = probe.started.get(id(process))
            if seen is not None and process.exitcode is not None and id(process) not in probe.lifetimes:
                probe.lifetimes[id(process)] = time.perf_counter() - seen[1]

        setattr(base, "start", start)  # noqa: B010 - replacing a method mypy types by its class
        setattr(base, "join", join)  # noqa: B010
        self._wrap_submitter(cf_process.ProcessPoolExecutor, "submit", single=True)
        self._wrap_submitter(multiprocessing.pool.Pool, "apply_async", single=True)
        for method in ("_map_async", "imap", "imap_unordered"):
            self._wrap_submitter(multiprocessing.pool.Pool, method, single=False)

    def _wrap_submitter(self, cls: type, method: str, single: bool) -> None:
        """Record the function passed to `cls.method(fn, [iterable], ...)` (per item for maps)."""
        probe = self
        real: Callable[..., Any] = getattr(cls, method)

        def submit(pool: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
            items = args[0] if args and not single else None
            probe.record(fn, len(items) if hasattr(items, "__len__") else 1)  # type: ignore[arg-type]
            return real(pool, fn, *args, **kwargs)

        setattr(cls, method, submit)

    def record(self, fn: Any, calls: int) -> None:
        while isinstance(fn, functools.partial):  # ProcessPoolExecutor.map: partial(chunk, fn)
            inner = fn.keywords.get("fn") or (fn.args[0] if fn.func is cf_process._process_chunk
                                              and fn.args else None)
            fn = inner if inner is not None else fn.func
        name = getattr(fn, "__qualname__", None) or type(fn).__name__
        self.targets[name] = self.targets.get(name, 0) + calls

    def result(self) -> ChildProcessStat | None:
        """The totals so far (processes never seen ended count up to now), or None if none started."""
        if not self.started:
            return None
        now = time.perf_counter()
        wall = sum(self.lifetimes.get(i, now - t0) for i, (_p, t0) in self.started.items())
        return ChildProcessStat(processes=len(self.started), wall_s=wall,
                                cpu_s=_children_cpu() - self.cpu0,
                                targets=dict(sorted(self.targets.items(), key=lambda kv: -kv[1])))


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
