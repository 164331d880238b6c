"""Child-side probes: what the script holds and does, recorded as `optadvise.model` records.

- `ArrayScanner`: NumPy arrays (and big lists of numbers) alive in the script's frames: shape, dtype,
  bytes, and the zero fraction of large 2-D ones (`ArrayInfo`); arrays that instances of the script's
  own classes hold as attributes are recorded under dotted names (`self.x`, `model.grid.u`).
- `Probes`: thin wrappers installed before the script starts, for whole-file loads (np.load,
  np.fromfile, np.loadtxt, np.genfromtxt, open() for reading: `LoadStat`), for threads, pool
  workers included (CPU time against wall time: `ThreadStat`; each new thread is announced to the
  sampler), through `workers.WorkerProbe`, for worker processes (`ChildProcessStat`), and for
  `scipy.optimize.minimize` / `least_squares` (objective calls and time per call site: `OptimizeStat`).
Standard library only; NumPy is imported only when the script uses it.
"""

from __future__ import annotations

import builtins
import inspect
import os
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import thread as cf_thread
from types import CodeType, FrameType
from typing import TYPE_CHECKING, Any

from optadvise.model import MODULE, ArrayInfo, ChildProcessStat, LoadStat, OptimizeStat, ThreadStat

if TYPE_CHECKING:
    from optadvise.profiling.workers import WorkerProbe

BIG_2D = 250_000  # elements from which a 2-D array's zero fraction is measured
MIN_ARRAY = 1_000  # smaller lists of numbers are not recorded
MIN_NDARRAY = 1  # ndarrays of any size are recorded (a 3x3 kernel or a short vector is a loop's operand)
MIN_LOAD = 1 << 20  # loads smaller than this are not recorded
FRAMES_SCANNED = 4  # frames of the script looked at per scan, innermost first
MIN_RANGED = 16 << 20  # int64/float64 arrays from this size get their observed value range
RANGE_SAMPLE = 100_000  # elements of the strided sub-sample the range is taken on
RANGE_EVERY_S = 1.0  # an array's range is re-taken at most this often (it may be filled after allocation)
OPTIMIZERS = ("minimize", "least_squares")
SCRIPT_MODULES = ("__main__", "__mp_main__")  # the script's own classes (run as __main__, or in a spawned worker)
ATTRIBUTE_DEPTH = 2  # attribute chains of the script's objects scanned: `self.x`, `model.grid.u`
ATTRIBUTES_SCANNED = 64  # attributes looked at per object


def qualname(code: CodeType) -> str:
    """A code object's qualified name (`co_qualname` is new in 3.11; before it, the plain name)."""
    return getattr(code, "co_qualname", code.co_name)


class ArrayScanner:
    """Keeps, per (function, name), the largest array seen under that name."""

    def __init__(self, script: str):
        self.script = script
        self.arrays: dict[tuple[str, str], ArrayInfo] = {}
        self.ranged: dict[tuple[str, str], float] = {}  # when each array's value range was last taken

    def scan_frames(self, frame: FrameType | None) -> None:
        """Scan the innermost frames of the script on the stack that starts at `frame`."""
        seen = 0
        while frame is not None and seen < FRAMES_SCANNED:
            code = frame.f_code
            if code.co_filename == self.script:
                seen += 1
                name = qualname(code)
                if name == MODULE:
                    self.scan_namespace(frame.f_globals, MODULE, is_module=True)
                else:
                    nargs = code.co_argcount + code.co_kwonlyargcount
                    self.scan_namespace(frame.f_locals, name, args=set(code.co_varnames[:nargs]))
            frame = frame.f_back

    def scan_namespace(self, ns: dict[str, Any], function: str, is_module: bool = False,
                       args: set[str] | None = None, final: bool = False) -> None:
        """Record the arrays of one namespace (`final`: the last look, value ranges always re-taken),
        and those the script's own objects in it hold as attributes (`self.x`, `model.grid.u`)."""
        np = sys.modules.get("numpy")
        for name, value in list(ns.items()):
            if is_module and name.startswith("__"):
                continue
            for key, held in ((name, value), *attribute_values(name, value)):
                self.record(key, held, np, function, bool(args and name in args), final)

    def record(self, name: str, value: Any, np: Any, function: str, is_argument: bool, final: bool) -> None:
        """Record `value`, seen under `name` in `function`, if it is an array (or a list of numbers);
        an attribute's (`self.x`) shape and dtype only: no rule reads its zeros or value range."""
        info = describe(value, np, name, function, self.script, is_argument)
        if info is None:
            return
        key = (function, name)
        old = self.arrays.get(key)
        measured = "." not in name
        big = measured and np is not None and info.kind != "list" and value.ndim == 2 and value.size >= BIG_2D
        if big:
            info.zero_fraction = zero_fraction(value, np)
            if old is not None and old.zero_fraction is not None:
                # a matrix is only "mostly zero" if it was so every time it was seen
                info.zero_fraction = min(old.zero_fraction, info.zero_fraction or 0.0)
        if measured and info.nbytes >= MIN_RANGED and info.dtype in ("int64", "float64"):
            now = time.perf_counter()
            if final or now - self.ranged.get(key, -RANGE_EVERY_S) >= RANGE_EVERY_S:
                self.ranged[key] = now
                value_range(value, np, info, old)
            elif old is not None:
                info.value_min, info.value_max, info.float32_exact = \
                    old.value_min, old.value_max, old.float32_exact
        if old is not None and old.nbytes > info.nbytes:
            if big:
                old.zero_fraction = info.zero_fraction
            return
        self.arrays[key] = info


def attribute_values(name: str, value: Any, depth: int = ATTRIBUTE_DEPTH) -> list[tuple[str, Any]]:
    """(`name.attr`, value) of the attributes an instance of a class the script defines holds in its
    `__dict__` (no property or `__getattr__` runs), and of theirs in turn, `depth` levels down."""
    if depth == 0 or getattr(type(value), "__module__", None) not in SCRIPT_MODULES:
        return []
    try:
        held = object.__getattribute__(value, "__dict__")
    except AttributeError:  # __slots__ only
        return []
    if type(held) is not dict:
        return []
    out: list[tuple[str, Any]] = []
    for attr, v in list(held.items())[:ATTRIBUTES_SCANNED]:
        if type(attr) is str:
            out.append((f"{name}.{attr}", v))
            out.extend(attribute_values(f"{name}.{attr}", v, depth - 1))
    return out


def describe(value: Any, np: Any, name: str, function: str, filename: str,
             is_argument: bool) -> ArrayInfo | None:
    """`value`, named `name` in `function`, as an ArrayInfo: an ndarray's shape/dtype/bytes, or a big
    list of numbers' length (rows and columns for a list of lists; a ragged one has dtype "list");
    None for anything else."""
    if np is not None and isinstance(value, np.ndarray):
        if value.size < MIN_NDARRAY:
            return None
        kind = "memmap" if isinstance(value, np.memmap) else "ndarray"
        shape, dtype, nbytes = tuple(value.shape), str(value.dtype), int(value.nbytes)
    elif type(value) is list and len(value) >= MIN_ARRAY and type(value[0]) in (int, float):
        first, n = type(value[0]), len(value)
        # element types on an evenly spaced sample of about 64 (and the last): a cheap check for mixing
        mixed = any(type(value[k]) is not first for k in (*range(0, n, max(1, n // 64)), n - 1))
        kind, shape, dtype, nbytes = "list", (n,), "mixed" if mixed else first.__name__, 8 * n
    elif type(value) is list and value and type(value[0]) is list and value[0] \
            and type(value[0][0]) in (int, float) and len(value) * len(value[0]) >= MIN_ARRAY:
        # a list of lists of numbers (a matrix): every row's length and first element's type are
        # checked (one step per row); a ragged one is recorded as a 1-D list of lists
        rows, cols = len(value), len(value[0])
        first = type(value[0][0])
        if any(type(r) is not list or len(r) != cols for r in value):
            kind, shape, dtype, nbytes = "list", (rows,), "list", 8 * rows
        else:
            mixed = any(type(r[0]) is not first for r in value)
            kind, shape, dtype, nbytes = "list", (rows, cols), "mixed" if mixed else first.__name__, 8 * rows * cols
    else:
        return None
    return ArrayInfo(name=name, function=function, filename=filename, kind=kind, shape=shape,
                     dtype=dtype, nbytes=nbytes, is_argument=is_argument)


def zero_fraction(value: Any, np: Any) -> float | None:
    """Fraction of zeros, estimated on an evenly strided sub-grid of at most ~1M elements."""
    step = max(1, int((value.size / 1_000_000) ** 0.5))
    sub = value[::step, ::step]
    try:
        return 1.0 - np.count_nonzero(sub) / max(sub.size, 1)
    except Exception:  # noqa: BLE001 - exotic dtypes
        return None


def value_range(value: Any, np: Any, info: ArrayInfo, old: ArrayInfo | None) -> None:
    """Min/max (and, for floats, float32 exactness) of a contiguous array on a strided sub-sample,
    merged with what was seen before under the same name (arrays are often filled after allocation)."""
    if not value.flags.c_contiguous:
        return
    sub = np.ascontiguousarray(value.reshape(-1)[::max(1, value.size // RANGE_SAMPLE)])
    try:
        lo, hi = float(sub.min()), float(sub.max())
        # NaN never compares equal, so an array holding NaN is (conservatively) not float32-exact
        exact = None if info.dtype != "float64" else bool((sub.astype(np.float32) == sub).all())
    except Exception:  # noqa: BLE001 - a value the script mutates from another thread, say
        return
    if old is not None and old.value_min is not None and old.value_max is not None:
        lo, hi = min(lo, old.value_min), max(hi, old.value_max)
        if exact is not None and old.float32_exact is not None:
            exact = exact and old.float32_exact
        old.value_min, old.value_max, old.float32_exact = lo, hi, exact
    info.value_min, info.value_max, info.float32_exact = lo, hi, exact


def _size(x0: Any) -> int:
    """Parameter count of an x0 given as an array, a sequence or a scalar."""
    size = getattr(x0, "size", None)
    if isinstance(size, int):
        return size
    try:
        return len(x0)
    except TypeError:
        return 1


class Probes:
    """Wrappers around loads, threads and thread-pool workers; what they saw is in `loads`/`threads`."""

    def __init__(self, script: str, on_thread: Callable[[], None] | None = None):
        self.script = script
        self.on_thread = on_thread  # called first in each thread the script starts
        self.loads: list[LoadStat] = []
        self.threads: list[ThreadStat] = []
        self.optimizers: list[OptimizeStat] = []
        self.in_load = 0  # a loader's own open() is not a second load
        self.workers: WorkerProbe | None = None
        self.thread_root: CodeType | None = None  # the code each thread's frames start from

    def install(self, uses_numpy: bool, uses_processes: bool = False, uses_scipy: bool = False) -> None:
        """Install every wrapper (NumPy's loaders only when the script mentions numpy, the worker
        process ones only when it mentions multiprocessing or a process pool, the optimizers only
        when it mentions scipy)."""
        if uses_scipy:
            self._wrap_optimizers()
        if uses_numpy:
            numpy: Any
            try:
                import numpy  # lazy: most of the time of a small script that never uses it
            except ImportError:
                pass
            else:
                for api in ("load", "fromfile", "loadtxt", "genfromtxt"):
                    setattr(numpy, api, self._wrap_load(getattr(numpy, api), f"numpy.{api}"))
        builtins.open = self._wrap_open(builtins.open)
        self._wrap_thread_bootstrap()
        self._wrap_executor_workers()
        if uses_processes:
            from optadvise.profiling.workers import WorkerProbe  # lazy: multiprocessing's imports

            self.workers = WorkerProbe()
            self.workers.install()

    def children(self) -> ChildProcessStat | None:
        """What the worker processes the script started used, if it started any."""
        return self.workers.result() if self.workers is not None else None

    def _wrap_open(self, real_open: Callable[..., Any]) -> Callable[..., Any]:
        probes = self

        def open_(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
            fh = real_open(file, mode, *args, **kwargs)
            if not probes.in_load and isinstance(file, (str, bytes, os.PathLike)) \
                    and not any(c in mode for c in "wax+"):
                try:
                    size = os.fstat(fh.fileno()).st_size
                except (OSError, ValueError):
                    size = 0
                if size >= MIN_LOAD:
                    function, lineno = probes._call_site()
                    probes._record_load("open", file, size, 0, 0.0, False, function, lineno)
            return fh

        return open_

    def _wrap_load(self, real: Callable[..., Any], api: str) -> Callable[..., Any]:
        probes = self

        def load(*args: Any, **kwargs: Any) -> Any:
            t = time.perf_counter()
            probes.in_load += 1
            try:
                result = real(*args, **kwargs)
            finally:
                probes.in_load -= 1
            dt = time.perf_counter() - t
            path = args[0] if args else kwargs.get("file", kwargs.get("fname", ""))
            try:
                size = os.stat(path).st_size if isinstance(path, (str, os.PathLike)) else 0
            except OSError:
                size = 0
            if size >= MIN_LOAD:
                function, lineno = probes._call_site()
                mmap = kwargs.get("mmap_mode") is not None or (api == "numpy.load" and len(args) > 1
                                                             and args[1] is not None)
                probes._record_load(api, path, size, int(getattr(result, "nbytes", 0) or 0), dt,
                                    mmap, function, lineno)
            return result

        load.__wrapped__ = real  # type: ignore[attr-defined]
        return load

    def _wrap_optimizers(self) -> None:
        try:
            from scipy import optimize  # lazy: heavy, and only for scripts that name scipy
        except ImportError:
            return
        for api in OPTIMIZERS:
            setattr(optimize, api, self._wrap_optimizer(getattr(optimize, api), api))

    def _wrap_optimizer(self, real: Callable[..., Any], api: str) -> Callable[..., Any]:
        """Count and time the objective of each call; record the call's method, jac and size."""
        probes = self
        signature = inspect.signature(real)

        def optimize(*args: Any, **kwargs: Any) -> Any:
            try:
                bound = signature.bind(*args, **kwargs)
            except TypeError:
                return real(*args, **kwargs)
            fun = bound.arguments["fun"]
            calls, spent = [0], [0.0]

            def objective(*a: Any, **k: Any) -> Any:
                calls[0] += 1
                t0 = time.perf_counter()
                try:
                    return fun(*a, **k)
                finally:
                    spent[0] += time.perf_counter() - t0

            bound.arguments["fun"] = objective
            function, lineno = probes._call_site()
            t = time.perf_counter()
            result = real(*bound.args, **bound.kwargs)
            seconds = time.perf_counter() - t
            if lineno:
                jac = bound.arguments.get("jac")
                nit = getattr(result, "nit", None) if api == "minimize" else getattr(result, "njev", None)
                probes.optimizers.append(OptimizeStat(
                    api=f"scipy.optimize.{api}", filename=probes.script, lineno=lineno, function=function,
                    method=str(bound.arguments.get("method") or ""), has_jac=callable(jac) or jac is True,
                    n_params=_size(bound.arguments.get("x0")),
                    iterations=int(nit or 0), fun_calls=calls[0], fun_s=spent[0], seconds=seconds))
            return result

        optimize.__wrapped__ = real  # type: ignore[attr-defined]
        return optimize

    def _call_site(self) -> tuple[str, int]:
        """(qualified name, line) of the script's innermost frame below the wrapper that calls this."""
        frame: FrameType | None = sys._getframe(2)
        while frame is not None and frame.f_code.co_filename != self.script:
            frame = frame.f_back
        if frame is None:
            return "", 0
        return qualname(frame.f_code), frame.f_lineno

    def _record_load(self, api: str, path: Any, size: int, nbytes: int, seconds: float, mmap: bool,
                     function: str, lineno: int) -> None:
        if not lineno:  # not called from the script's own code
            return
        self.loads.append(LoadStat(
            api=api, path=path.decode(errors="replace") if isinstance(path, bytes) else os.fspath(path),
            filename=self.script, lineno=lineno, function=function, file_bytes=size,
            result_bytes=nbytes, seconds=seconds, mmap=mmap))

    def _wrap_thread_bootstrap(self) -> None:
        """Record each thread's CPU and wall time, and the function it ran, when it ends."""
        probes = self
        real_bootstrap = threading.Thread._bootstrap_inner  # type: ignore[attr-defined]

        def bootstrap(thread: threading.Thread) -> None:
            if probes.on_thread is not None:
                probes.on_thread()
            w0, c0 = time.perf_counter(), time.thread_time()
            target = getattr(thread, "_target", None)  # Thread.run deletes it when done
            run = type(thread).run
            if target is None and run is not threading.Thread.run:  # a subclass: its `run` is the work
                target = run
            code = getattr(target, "__code__", None)
            try:
                real_bootstrap(thread)
            finally:
                pooled = getattr(thread, "_optadvise_target", None)  # set by the pool worker wrapper
                if pooled is not None:
                    target, code = pooled, getattr(pooled, "__code__", None)
                probes.threads.append(ThreadStat(
                    name=thread.name, target=getattr(target, "__qualname__", "") if target else "",
                    filename=code.co_filename if code else "",
                    lineno=code.co_firstlineno if code else 0,
                    cpu_s=time.thread_time() - c0, wall_s=time.perf_counter() - w0))

        threading.Thread._bootstrap_inner = bootstrap  # type: ignore[attr-defined]
        self.thread_root = bootstrap.__code__

    @staticmethod
    def _wrap_executor_workers() -> None:
        """Name ThreadPoolExecutor worker threads after the function they run."""
        real_submit = cf_thread.ThreadPoolExecutor.submit
        real_worker = cf_thread._worker
        targets: dict[int, Any] = {}

        def submit(pool: Any, fn: Any, /, *args: Any, **kwargs: Any) -> Any:
            targets.setdefault(id(pool), fn)
            return real_submit(pool, fn, *args, **kwargs)

        def worker(executor_ref: Any, work_queue: Any, *rest: Any) -> None:
            thread = threading.current_thread()
            pool = executor_ref()
            fn = targets.get(id(pool)) if pool is not None else None
            del pool
            if fn is not None:
                thread._optadvise_target = fn  # type: ignore[attr-defined]
            real_worker(executor_ref, work_queue, *rest)

        cf_thread.ThreadPoolExecutor.submit = submit  # type: ignore[method-assign]
        setattr(cf_thread, "_worker", worker)  # noqa: B010 - its stub types the real signature
