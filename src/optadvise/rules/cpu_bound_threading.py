"""Rule cpu-bound-threading (OA301): threads whose Python work the GIL serialises, measured by CPU/wall and py-spy."""

from __future__ import annotations

import ast

from optadvise.examples import Invalid, Measured, Valid
from optadvise.model import Finding, GilStat, Profile, ThreadStat
from optadvise.rules.base import Rule, Site
from optadvise.rules.facts import facts, thread
from optadvise.rules.index import Call, ModuleIndex

# Calls that make a worker wait rather than compute: such threads are not flagged statically.
WAITING = ("time.sleep", "open", "requests.", "urllib.", "socket.", "subprocess.", "input",
           "select.", "asyncio.", "queue.", "print")
# CPU seconds per wall second of the threaded section, all threads together. About 1 means the GIL
# lets one thread run at a time; waiting threads sit near 0, GIL-free native work above 1.3 on two
# cores. A worker whose code is a pure-Python loop (static evidence) is accepted from a lower
# ratio, since a busy machine gives the threads less than a full core.
GIL_BOUND = (0.6, 1.3)
GIL_BOUND_PURE_LOOP = (0.25, 1.3)
GIL_IN_TARGET = 0.4  # py-spy: the worker holds the GIL at least this share of the threads' wall time
GIL_FREE = 0.1  # py-spy: below this share the workers wait or run GIL-free native code
MP_THREAD_POOLS = ("multiprocessing.pool.ThreadPool", "multiprocessing.dummy.Pool")
POOL_METHODS = ("map", "starmap", "imap", "imap_unordered", "apply", "apply_async", "map_async", "starmap_async")
MP_POOL_FILE = "multiprocessing/pool.py"
SUBCLASS = "threading.Thread subclass"  # the `api` of a `class Worker(threading.Thread)` site
_THREADS = ("import threading\n{imports}def work(n):\n{body}"
            "threads = [threading.Thread(target=work, args=(10**6,)) for _ in range(4)]  # <-\n"
            "for t in threads:\n    t.start()\nfor t in threads:\n    t.join()\n")
_WORKERS = _THREADS.format(imports="", body="    s = 0\n    for k in range(n):\n        s += k * k\n")
_SLEEPERS = _THREADS.format(imports="import time\n", body="    for k in range(n):\n        time.sleep(0.05)\n")
_SUBCLASS = ("import threading, time\nclass Worker(threading.Thread):\n    def __init__(self, n):\n"
             "        super().__init__()\n        self.n = n\n    def run(self):\n{run}"
             "ws = [Worker(10**6) for _ in range(4)]  # <-\nfor w in ws:\n    w.start()\nfor w in ws:\n    w.join()\n")
_SUBCLASS_WORKERS = _SUBCLASS.format(run="        s = 0\n        for k in range(self.n):\n            s += k\n"
                                         "        self.result = s\n")


class CpuBoundThreading(Rule):
    """Threads (threading.Thread, a Thread subclass, a thread pool) running CPU-bound pure-Python work.

    ## What it does
    Flags the `threading.Thread(...)` call (or the creation of a `threading.Thread` subclass whose
    `run` does the work), or the `ThreadPoolExecutor` creation, of workers
    measured to be serialised by the GIL: all threads together burn about one CPU-second per
    wall-second however many cores the machine has, or py-spy saw the worker hold the GIL most
    of the time. Threads that wait (sleep, I/O) or run native code that releases the GIL (most
    large NumPy operations) are fine and not flagged.

    ## Why is this bad?
    CPython's global interpreter lock lets one thread run Python bytecode at a time, so N
    threads doing arithmetic in Python take as long as one doing all the work (often longer).
    Run the workers in processes: `concurrent.futures.ProcessPoolExecutor` with a module-level
    worker that returns its result (and an `if __name__ == "__main__":` guard), or compile the
    worker with Numba (`nogil=True`).

    ## Example
    ```python
    from concurrent.futures import ThreadPoolExecutor

    def work(n):
        s = 0
        for k in range(n):
            s += k * k % 7
        return s

    with ThreadPoolExecutor(4) as pool:
        print(sum(pool.map(work, [1_000_000] * 4)))
    ```

    ## Use instead
    ```python
    from concurrent.futures import ProcessPoolExecutor

    def work(n):  # unchanged, at module level so that the worker processes can import it
        ...

    if __name__ == "__main__":
        with ProcessPoolExecutor(4) as pool:
            print(sum(pool.map(work, [1_000_000] * 4)))
    ```
    """

    slug = "cpu-bound-threading"
    code = "OA301"
    summary = "Threads doing CPU-bound Python work, serialised by the GIL"
    fixes = ("processpool",)
    VALID = (
        Valid("import threading, time\ndef wait():\n    time.sleep(1)\n"
              "t = threading.Thread(target=wait)\nt.start()\n"),
        # a Thread subclass that waits in its run(): not pure-Python CPU work
        Valid(_SUBCLASS.format(run="        for k in range(self.n):\n            time.sleep(0.01)\n")
              .replace("  # <-", "")),
    )
    INVALID = (
        Invalid("import threading\ndef work(n):\n    s = 0\n    for k in range(n):\n        s += k * k\n"
                "t = threading.Thread(target=work, args=(10,))  # <-\nt.start()\n", fixes=("processpool",)),
        Invalid("from concurrent.futures import ThreadPoolExecutor\ndef work(n):\n    s = 0\n"
                "    for k in range(n):\n        s += k\n    return s\n"
                "with ThreadPoolExecutor(4) as pool:  # <-\n    r = list(pool.map(work, [10] * 4))\n",
                fixes=("processpool",)),
        # multiprocessing's ThreadPool, the worker handed in by the caller
        Invalid("from multiprocessing.pool import ThreadPool\ndef work(lo, hi):\n    s = 0\n"
                "    for k in range(lo, hi):\n        s += k\n    return s\n"
                "def run(fn, jobs):\n    with ThreadPool(4) as pool:  # <-\n        return pool.starmap(fn, jobs)\n"
                "run(work, [(0, 10)] * 4)\n", fixes=("processpool",)),
        # a Thread subclass whose run() loops in Python, created and started
        Invalid(_SUBCLASS.format(run="        s = 0\n        for k in range(self.n):\n            s += k\n"
                                     "        self.result = s\n"), fixes=("processpool",)),
    )
    MEASURED = (
        # four workers, 0.5 CPU-seconds each over 2 s: one CPU-second per wall-second, the GIL's mark
        Measured(_WORKERS, facts(threads=(thread("work", 0.5, 2.0),) * 4, wall_s=2.2),
                 evidence={"target": "work", "threads": 4, "cpu_per_wall": 1.0}),
        # a busy machine gave them little CPU, but py-spy saw `work` hold the GIL 90% of the time
        Measured(_WORKERS, facts(threads=(thread("work", 0.1, 2.0),) * 4, wall_s=2.2,
                                 gil=GilStat(rate_hz=100, seconds=2.0, held_samples=190,
                                             by_function={"work": 180})),
                 evidence={"gil_in_target": 0.9}),
        # sleeping workers: almost no CPU time while they wait
        Measured(_SLEEPERS, facts(threads=(thread("work", 0.002, 2.0),) * 4, wall_s=2.2), flagged=False),
        # native code that releases the GIL: 1.9 CPU-seconds per wall-second on two cores
        Measured(_WORKERS, facts(threads=(thread("work", 0.95, 2.0),) * 4, wall_s=2.2,
                                 gil=GilStat(rate_hz=100, seconds=2.0, held_samples=10,
                                             by_function={"work": 8})),
                 flagged=False),
        # a single thread cannot be serialised against others
        Measured(_WORKERS, facts(threads=(thread("work", 2.0, 2.0),), wall_s=2.2), flagged=False),
        # Thread subclasses: the profiler names each thread after its class's run method
        Measured(_SUBCLASS_WORKERS, facts(threads=(thread("Worker.run", 0.5, 2.0),) * 4, wall_s=2.2),
                 evidence={"target": "Worker.run", "api": SUBCLASS, "threads": 4, "cpu_per_wall": 1.0}),
        Measured(_SUBCLASS_WORKERS, facts(threads=(thread("Worker.run", 0.1, 2.0),) * 4, wall_s=2.2,
                                          gil=GilStat(rate_hz=100, seconds=2.0, held_samples=190,
                                                      by_function={"Worker.run": 180})),
                 evidence={"gil_in_target": 0.9}),
        # the class's threads barely ran: no evidence of GIL-bound work
        Measured(_SUBCLASS_WORKERS, facts(threads=(thread("Worker.run", 0.01, 2.0),) * 4, wall_s=2.2),
                 flagged=False),
    )

    def find(self, index: ModuleIndex) -> list[Site]:
        executors = _executor_names(index)
        sites = []
        for call in index.calls:
            target = None
            where: ast.expr = call.node
            func = call.node.func
            if call.name == "threading.Thread":
                target = next((k.value for k in call.node.keywords if k.arg == "target"), None)
                api = "threading.Thread"
            pool = func.value.id if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) else ""
            if call.name != "threading.Thread" and isinstance(func, ast.Attribute) and pool in executors \
                    and call.node.args and func.attr in _methods(index, executors[pool]):
                target = _passed_in(index, call, call.node.args[0])
                api = f"{_pool_kind(index, executors[pool])}.{func.attr}"
                where = executors[pool]
            if not isinstance(target, ast.Name):
                continue
            scope = index.scopes.get(target.id)
            if scope is None or not isinstance(scope.node, ast.FunctionDef):
                continue
            # point at what a rewrite changes: the Thread(...) call, or the executor's creation
            sites.append(Site(
                lineno=where.lineno, end_lineno=where.end_lineno or where.lineno,
                col=where.col_offset, function=call.function,
                message=f"threads run `{target.id}` through {api}",
                detail={"target": target.id, "api": api},
                confident=_cpu_loop(index, scope.node)))
        return sites + _subclass_sites(index)

    def confirm(self, site: Site, index: ModuleIndex, profile: Profile) -> Finding | None:
        pooled = site.detail["api"].startswith("ThreadPool.")  # its threads all run the pool's `worker`
        target = site.detail["target"]
        threads = [t for t in profile.threads if t.target == target or t.target.endswith(f".{target}")
                   or pooled and t.target == "worker" and t.filename.endswith(MP_POOL_FILE)]
        if len(threads) < 2:
            return None
        ratio, wall, cpu = gil_ratio(threads)
        evidence = {**site.detail, "threads": len(threads), "cpu_s": round(cpu, 3),
                    "wall_s": round(wall, 3), "cpu_per_wall": round(ratio, 2),
                    "cores": profile.cpu_count}
        gil = profile.gil
        in_section = None
        if gil is not None and gil.held_samples:
            # py-spy's direct evidence: the share of the threaded section's wall time in which the
            # worker itself held the GIL (~1 when the GIL serialises it, ~0 when it waits or runs
            # native code); the CPU ratio decides only where the samples are inconclusive
            # py-spy names a method `Worker.run` on Python 3.11+, `run` before
            held = gil.by_function.get(target) or gil.by_function.get(target.rsplit(".", 1)[-1], 0)
            in_section = min(1.0, held / (gil.rate_hz * wall))
            evidence.update(gil_held=round(gil.held_share, 3), gil_in_target=round(in_section, 3))
        low, high = GIL_BOUND_PURE_LOOP if site.confident else GIL_BOUND
        if in_section is not None and in_section >= GIL_IN_TARGET and ratio <= GIL_BOUND[1]:
            how = (f"py-spy saw `{site.detail['target']}` hold the GIL {in_section:.0%} of the time "
                   f"the threads ran, and they used {ratio:.2f} CPU-seconds per wall-second")
        elif (in_section is None or in_section >= GIL_FREE) and low <= ratio <= high:
            how = f"together they use {ratio:.2f} CPU-seconds per wall-second"
        else:
            return None
        share = min(1.0, wall / max(profile.wall_s, 1e-9))
        message = (f"{len(threads)} threads run `{site.detail['target']}` on a {profile.cpu_count}-core "
                   f"machine but the GIL serialises their Python work: {how}. "
                   f"Use processes (ProcessPoolExecutor).")
        return self.finding(index, site, message=message, evidence=evidence, share=share)


def gil_ratio(threads: list[ThreadStat]) -> tuple[float, float, float]:
    """(CPU per wall second, wall of the threaded section, total CPU) of a group of threads."""
    wall = max(t.wall_s for t in threads)
    cpu = sum(t.cpu_s for t in threads)
    return cpu / max(wall, 1e-9), wall, cpu


def _executor_names(index: ModuleIndex) -> dict[str, ast.Call]:
    """Names bound to a ThreadPoolExecutor (`with ThreadPoolExecutor() as pool`, `pool = ...`),
    each with the call that created it."""
    names: dict[str, ast.Call] = {}
    if not index.imports("concurrent.futures") and not index.imports("multiprocessing"):
        return names
    for node in ast.walk(index.tree):
        if isinstance(node, ast.withitem) and isinstance(node.context_expr, ast.Call) \
                and _pool_kind(index, node.context_expr) and isinstance(node.optional_vars, ast.Name):
            names[node.optional_vars.id] = node.context_expr
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and _pool_kind(index, node.value):
            names.update({t.id: node.value for t in node.targets if isinstance(t, ast.Name)})
    return names


def _pool_kind(index: ModuleIndex, call: ast.Call) -> str:
    """"ThreadPoolExecutor", "ThreadPool" (multiprocessing's thread pool) or "" for another call."""
    name = index.resolve(call.func) or ""
    if name.endswith("ThreadPoolExecutor"):
        return "ThreadPoolExecutor"
    return "ThreadPool" if name in MP_THREAD_POOLS else ""


def _methods(index: ModuleIndex, pool: ast.Call) -> tuple[str, ...]:
    return POOL_METHODS if _pool_kind(index, pool) == "ThreadPool" else ("submit", "map")


def _passed_in(index: ModuleIndex, call: Call, worker: ast.expr) -> ast.expr:
    """The worker, or when it is a parameter of the enclosing function, the function its callers pass."""
    scope = index.scopes.get(call.function)
    if not (isinstance(worker, ast.Name) and scope is not None and worker.id in scope.params):
        return worker
    k = scope.params.index(worker.id)
    name = call.function.rsplit(".", 1)[-1]
    for c in index.calls:
        if isinstance(c.node.func, ast.Name) and c.node.func.id == name:
            arg = c.node.args[k] if k < len(c.node.args) else next(
                (kw.value for kw in c.node.keywords if kw.arg == worker.id), None)
            if isinstance(arg, ast.Name):
                return arg
    return worker


def _subclass_sites(index: ModuleIndex) -> list[Site]:
    """Each creation of a `threading.Thread` subclass of this script whose `run` is defined here, in a
    function that also calls `.start()`."""
    sites = []
    for node in ast.walk(index.tree):
        if not (isinstance(node, ast.ClassDef)
                and any(index.resolve(b) == "threading.Thread" for b in node.bases)):
            continue
        run = next((f for f in node.body if isinstance(f, ast.FunctionDef) and f.name == "run"), None)
        if run is None:
            continue
        starts = {c.function for c in index.calls
                  if isinstance(c.node.func, ast.Attribute) and c.node.func.attr == "start"}
        for call in index.calls:
            func = call.node.func
            if isinstance(func, ast.Name) and func.id == node.name and call.function in starts:
                sites.append(Site(
                    lineno=call.node.lineno, end_lineno=call.node.end_lineno or call.node.lineno,
                    col=call.node.col_offset, function=call.function,
                    message=f"threads run `{node.name}.run` (a {SUBCLASS})",
                    detail={"target": f"{node.name}.run", "api": SUBCLASS},
                    confident=_cpu_loop(index, run)))
    return sites


def _cpu_loop(index: ModuleIndex, fn: ast.FunctionDef) -> bool:
    """The worker loops over Python arithmetic and calls nothing that waits."""
    has_loop = any(isinstance(n, (ast.For, ast.While)) for n in ast.walk(fn))
    waits = any(isinstance(n, ast.Call) and (index.resolve(n.func) or "").startswith(WAITING)
                for n in ast.walk(fn))
    return has_loop and not waits
