"""Child side of `optadvise profile`: run a script as __main__ under cProfile and sampled line_profiler.

    python -m optadvise.profiling.harness RESULT.json SCRIPT [ARGS...]

How the hot lines get line-profiled, and why this way
------------------------------------------------------
line_profiler's tracer costs several times the run time of a tight Python loop when it is on, and it
only sees code objects registered *before* they run (it swaps in padded bytecode). A second full
pass would double the run; profiling only "known hot" functions needs a first pass to know them.
Instead, one pass:

1. every code object of the script (the module body and all functions in it, nested ones included)
   is registered with line_profiler before the script starts, so any of them can be traced;
2. cProfile runs for the whole run (cheap: it only sees calls, not lines);
3. a SIGPROF interval timer (process CPU time) ticks every `TICK` seconds; the handler switches
   line_profiler on for one tick in every `DUTY` ticks and off again at the next. The tracer is on
   for ~1/DUTY of the CPU time, so the overhead stays bounded whatever the script does, and the
   windows sample the run uniformly, which is all a per-line *share* needs.
   (On CPython 3.11 a trace function set inside a signal handler takes effect in the interrupted
   frame at once, so a function called once with one long loop is still line-profiled.)
4. the same handler books the wall time since its last run to the current line of every frame
   of the script on the stack (a statistical profile, inclusive of callees). This is what the
   per-line *share* comes from: a tick can only be handled between bytecodes, so a window would
   close right after a long C call (a big matrix product) before line_profiler booked that
   line's time, while the sampler charges the whole gap to the line that made the call.
   line_profiler supplies exact hit counts and traced time within its windows;
5. the same handler, at a lower rate, looks at the live frames of the script and records the
   NumPy arrays (shape, dtype, bytes, and the zero fraction of large 2-D ones) it holds.

Loads (np.load, np.fromfile, np.loadtxt, np.genfromtxt, open() for reading) and threads (CPU time
against wall time) are recorded by thin wrappers. Results are written as JSON for the parent, also
when the script raises, calls sys.exit, or is stopped with SIGTERM at the parent's timeout.
This module imports only the standard library and line_profiler; it never imports optadvise's CLI.
"""

from __future__ import annotations

import bisect
import builtins
import cProfile
import dis
import json
import os
import pstats
import resource
import signal
import sys
import threading
import time
import traceback
import types
from typing import Any

TICK = 0.005  # seconds of process CPU time between SIGPROF ticks
DUTY = 16  # line_profiler is on for 1 tick in DUTY (~6% of the CPU time)
SCAN_EVERY_S = 0.1  # look at live arrays at most this often (wall seconds)
BIG_2D = 250_000  # elements from which a 2-D array's zero fraction is measured
MIN_ARRAY = 1_000  # smaller arrays are not recorded
MIN_LOAD = 1 << 20  # loads smaller than this are not recorded


class Harness:
    def __init__(self, script: str, argv: list[str], result_path: str):
        self.script = os.path.abspath(script)
        self.user_dir = os.path.dirname(self.script)
        self.argv = argv
        self.result_path = result_path
        self.pid = os.getpid()
        self.profiler = cProfile.Profile()
        self.line_profiler: Any = None
        self.line_on = False
        self.ticks = 0
        self.windows = 0
        self.arrays: dict[tuple[str, str], dict[str, Any]] = {}
        self.samples: dict[tuple[str, int, str], dict[int, float]] = {}
        self.last_tick = self.last_scan = time.perf_counter()
        self.line_starts: dict[types.CodeType, list[tuple[int, int]]] = {}
        self.scanned: set[types.CodeType] = set()
        self.loads: list[dict[str, Any]] = []
        self.in_load = 0
        self.threads: list[dict[str, Any]] = []
        self.returncode: int | None = None
        self.exception: str | None = None
        self.timed_out = False
        self.written = False
        self.t0 = time.perf_counter()
        self.cpu0 = time.process_time()
        self.globals: dict[str, Any] = {}

    # ------------------------------------------------------------------------------------ running

    def run(self) -> int:
        with open(self.script, "rb") as fh:
            code = compile(fh.read(), self.script, "exec")
        self._prepare_line_profiler()
        if self.line_profiler is not None:
            code = self._register(code)
        self._install_wrappers()
        module = types.ModuleType("__main__")
        module.__dict__.update({"__file__": self.script, "__builtins__": builtins, "__spec__": None,
                                "__loader__": None, "__package__": None, "__cached__": None})
        self.globals = module.__dict__
        sys.modules["__main__"] = module
        sys.argv = [self.script, *self.argv]
        sys.path[0] = self.user_dir
        signal.signal(signal.SIGTERM, self._on_sigterm)
        signal.signal(signal.SIGPROF, self._on_tick)
        signal.setitimer(signal.ITIMER_PROF, TICK, TICK)
        self.t0, self.cpu0 = time.perf_counter(), time.process_time()
        try:
            self.profiler.enable()
            exec(code, self.globals)
            self.returncode = 0
        except SystemExit as e:
            self.returncode = _exit_status(e.code)
        except BaseException as e:  # noqa: BLE001 - the script's exception is data here
            self.profiler.disable()  # printing the traceback is not the script's time
            signal.setitimer(signal.ITIMER_PROF, 0, 0)
            self.returncode = 1
            self.exception = f"{type(e).__name__}: {e}"
            _print_user_traceback(e, self.script)
        finally:
            self.finish()
        return self.returncode or 0

    def finish(self) -> None:
        """Stop measuring and write the result file (once, and only from the original process)."""
        if self.written or os.getpid() != self.pid:
            return
        self.written = True
        signal.setitimer(signal.ITIMER_PROF, 0, 0)
        self.profiler.disable()
        if self.line_on:
            self.line_profiler.disable()
            self.line_on = False
        wall, cpu = time.perf_counter() - self.t0, time.process_time() - self.cpu0
        self._scan_namespace(self.globals, "<module>", is_module=True)
        sys.stdout.flush()
        result = {
            "returncode": self.returncode, "exception": self.exception, "timed_out": self.timed_out,
            "wall_s": wall, "cpu_s": cpu, "peak_rss_bytes": _peak_rss(),
            "functions": self._functions(wall), "arrays": list(self.arrays.values()),
            "threads": self.threads, "loads": self.loads, "line_profile_windows": self.windows,
        }
        tmp = self.result_path + ".tmp"
        try:
            with open(tmp, "w") as fh:
                json.dump(result, fh)
            os.replace(tmp, self.result_path)
        except OSError:  # the parent is gone (interrupted) and took the folder with it
            pass

    def _on_sigterm(self, signum: int, frame: Any) -> None:
        """The parent's timeout: save what was measured, then stop at once."""
        self.timed_out = True
        self.returncode = None
        try:
            self.finish()
        finally:
            os._exit(124)

    # ---------------------------------------------------------------------------- line profiling

    def _prepare_line_profiler(self) -> None:
        try:
            from line_profiler import LineProfiler
        except ImportError:  # pragma: no cover - a declared dependency; degrade to cProfile only
            return
        self.line_profiler = LineProfiler()

    def _register(self, code: types.CodeType) -> types.CodeType:
        """Register a code object and all code nested in it; return the padded (traceable) copy."""
        consts = tuple(self._register(c) if isinstance(c, types.CodeType) else c
                       for c in code.co_consts)
        code = code.replace(co_consts=consts)
        cells = tuple(types.CellType() for _ in code.co_freevars)  # closures need cells to exist
        holder = types.FunctionType(code, {}, None, None, cells)
        try:
            self.line_profiler.add_function(holder)
        except Exception:  # noqa: BLE001 - unprofilable code still runs, just without line timings
            return code
        return holder.__code__

    def _on_tick(self, signum: int, frame: Any) -> None:
        self.ticks += 1
        now = time.perf_counter()
        self._sample(frame, now - self.last_tick)
        self.last_tick = now
        lp = self.line_profiler
        if lp is not None:
            if self.line_on:
                lp.disable()
                self.line_on = False
            elif self.ticks % DUTY == 0:
                lp.enable()
                self.line_on = True
                self.windows += 1
        code = self._innermost_user_code(frame)
        if now - self.last_scan >= SCAN_EVERY_S or (code is not None and code not in self.scanned):
            self.last_scan = now  # periodically, and at the first sight of each function
            if code is not None:
                self.scanned.add(code)
            self._scan_frames(frame)

    # ---------------------------------------------------------------------------- observations

    def _is_user(self, filename: str) -> bool:
        return filename == self.script

    def _sample(self, frame: Any, dt: float) -> None:
        """Charge `dt` seconds to the current line of each frame of the script on the stack."""
        while frame is not None:
            code = frame.f_code
            if code.co_filename == self.script:
                lineno = frame.f_lineno or self._line_before(code, frame.f_lasti)
                lines = self.samples.setdefault((code.co_filename, code.co_firstlineno, code.co_name), {})
                lines[lineno] = lines.get(lineno, 0.0) + dt
            frame = frame.f_back

    def _line_before(self, code: types.CodeType, lasti: int) -> int:
        """The line of the nearest line start before `lasti`: where an instruction that has no
        line of its own (3.11's jump back at the end of a loop body ending in `if`) belongs."""
        starts = self.line_starts.get(code)
        if starts is None:
            starts = self.line_starts[code] = sorted(
                (off, line) for off, line in dis.findlinestarts(code) if line is not None)
        i = bisect.bisect_right(starts, (lasti, sys.maxsize)) - 1
        return starts[i][1] if i >= 0 else code.co_firstlineno

    def _innermost_user_code(self, frame: Any) -> types.CodeType | None:
        while frame is not None:
            if frame.f_code.co_filename == self.script:
                return frame.f_code
            frame = frame.f_back
        return None

    def _scan_frames(self, frame: Any) -> None:
        seen = 0
        while frame is not None and seen < 4:
            code = frame.f_code
            if self._is_user(code.co_filename):
                seen += 1
                name = code.co_qualname if hasattr(code, "co_qualname") else code.co_name
                if name == "<module>":
                    self._scan_namespace(frame.f_globals, "<module>", is_module=True)
                else:
                    nargs = code.co_argcount + code.co_kwonlyargcount
                    self._scan_namespace(frame.f_locals, name, args=set(code.co_varnames[:nargs]))
            frame = frame.f_back

    def _scan_namespace(self, ns: dict[str, Any], function: str, is_module: bool = False,
                        args: set[str] | None = None) -> None:
        np = sys.modules.get("numpy")
        for name, value in list(ns.items()):
            if is_module and name.startswith("__"):
                continue
            info = _describe(value, np)
            if info is None:
                continue
            key = (function, name)
            old = self.arrays.get(key)
            if np is not None and info["kind"] != "list" and value.ndim == 2 and value.size >= BIG_2D:
                info["zero_fraction"] = _zero_fraction(value, np)
                if old is not None and old.get("zero_fraction") is not None:
                    # a matrix is only "mostly zero" if it was so every time it was seen
                    info["zero_fraction"] = min(old["zero_fraction"], info["zero_fraction"] or 0.0)
            if old is not None and old["nbytes"] > info["nbytes"]:
                old["zero_fraction"] = info.get("zero_fraction", old.get("zero_fraction"))
                continue
            info.update(name=name, function=function, filename=self.script,
                        is_argument=bool(args and name in args))
            self.arrays[key] = info

    def _call_site(self) -> tuple[str, int]:
        frame = sys._getframe(2)
        while frame is not None and not self._is_user(frame.f_code.co_filename):
            frame = frame.f_back
        if frame is None:
            return "", 0
        code = frame.f_code
        return getattr(code, "co_qualname", code.co_name), frame.f_lineno

    def _install_wrappers(self) -> None:
        harness = self
        with open(self.script, "rb") as fh:
            uses_numpy = b"numpy" in fh.read()
        if uses_numpy:
            try:
                import numpy
            except ImportError:
                numpy = None
            if numpy is not None:
                for api in ("load", "fromfile", "loadtxt", "genfromtxt"):
                    setattr(numpy, api, self._wrap_load(getattr(numpy, api), f"numpy.{api}"))
        real_open = builtins.open

        def open_(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
            fh = real_open(file, mode, *args, **kwargs)
            if not harness.in_load and isinstance(file, (str, bytes, os.PathLike)) \
                    and not any(c in mode for c in "wax+"):
                try:
                    size = os.fstat(fh.fileno()).st_size
                except (OSError, ValueError):
                    size = 0
                if size >= MIN_LOAD:
                    function, lineno = harness._call_site()
                    if lineno:
                        harness._record_load("open", file, size, 0, 0.0, False, function, lineno)
            return fh

        builtins.open = open_
        real_bootstrap = threading.Thread._bootstrap_inner  # type: ignore[attr-defined]

        def bootstrap(thread: threading.Thread) -> None:
            w0, c0 = time.perf_counter(), time.thread_time()
            target = getattr(thread, "_target", None)  # Thread.run deletes it when done
            code = getattr(target, "__code__", None)
            try:
                real_bootstrap(thread)
            finally:
                pooled = getattr(thread, "_optadvise_target", None)  # set by the pool worker wrapper
                if pooled is not None:
                    target, code = pooled, getattr(pooled, "__code__", None)
                harness.threads.append({
                    "name": thread.name,
                    "target": getattr(target, "__qualname__", "") if target else "",
                    "filename": code.co_filename if code else "",
                    "lineno": code.co_firstlineno if code else 0,
                    "cpu_s": time.thread_time() - c0, "wall_s": time.perf_counter() - w0})

        threading.Thread._bootstrap_inner = bootstrap  # type: ignore[attr-defined]
        self._wrap_executor_submit()

    def _wrap_executor_submit(self) -> None:
        """Name ThreadPoolExecutor worker threads after the function they run."""
        from concurrent.futures import thread as cf_thread

        real_submit = cf_thread.ThreadPoolExecutor.submit
        real_worker = cf_thread._worker  # type: ignore[attr-defined]
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
        cf_thread._worker = worker  # type: ignore[attr-defined]

    def _wrap_load(self, real: Any, api: str) -> Any:
        harness = self

        def load(*args: Any, **kwargs: Any) -> Any:
            t = time.perf_counter()
            harness.in_load += 1  # the loader's own open() is not a second load
            try:
                result = real(*args, **kwargs)
            finally:
                harness.in_load -= 1
            dt = time.perf_counter() - t
            path = args[0] if args else kwargs.get("file", kwargs.get("fname", ""))
            try:
                size = os.stat(path).st_size if isinstance(path, (str, os.PathLike)) else 0
            except OSError:
                size = 0
            if size >= MIN_LOAD:
                function, lineno = harness._call_site()
                mmap = kwargs.get("mmap_mode") is not None or (api == "numpy.load" and len(args) > 1
                                                             and args[1] is not None)
                harness._record_load(api, path, size, int(getattr(result, "nbytes", 0) or 0), dt,
                                     mmap, function, lineno)
            return result

        load.__wrapped__ = real  # type: ignore[attr-defined]
        return load

    def _record_load(self, api: str, path: Any, size: int, nbytes: int, seconds: float, mmap: bool,
                     function: str, lineno: int) -> None:
        if not lineno:
            return
        self.loads.append({"api": api, "path": os.fspath(path) if not isinstance(path, bytes)
                           else path.decode(errors="replace"), "filename": self.script,
                           "lineno": lineno, "function": function, "file_bytes": size,
                           "result_bytes": nbytes, "seconds": seconds, "mmap": mmap})

    # ---------------------------------------------------------------------------- results

    def _functions(self, wall: float) -> list[dict[str, Any]]:
        stats = pstats.Stats(self.profiler).stats  # type: ignore[attr-defined]
        lines = self._line_stats()
        total = max(wall, 1e-9)
        rows = []
        own_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        for (filename, lineno, name), (_cc, nc, tt, ct, _callers) in stats.items():
            if filename.startswith(own_dir) or name == "<method 'disable' of '_lsprof.Profiler' objects>":
                continue  # optadvise's own harness frames
            user = self._is_user(filename)
            share = ct / total
            if not user and share < 0.01 and tt / total < 0.01:
                continue
            if filename == "~":  # built-ins: "<built-in method numpy.dot>"
                filename, lineno = "", 0
            rows.append({"name": name, "filename": filename, "lineno": lineno, "calls": nc,
                         "own_s": tt, "cum_s": ct, "share": min(share, 1.0), "user": user,
                         "lines": lines.get((filename, lineno, name), []) if user else []})
        rows.sort(key=lambda r: r["cum_s"], reverse=True)
        return rows[:60]

    def _line_stats(self) -> dict[tuple[str, int, str], list[dict[str, Any]]]:
        """Per code object: each line's sampled time and share, with line_profiler's hits/time."""
        traced: dict[tuple[str, int, str], dict[int, list[float]]] = {}
        if self.line_profiler is not None:
            stats = self.line_profiler.get_stats()
            for key, timings in stats.timings.items():
                merged = traced.setdefault(key, {})
                for lineno, hits, t in timings:
                    m = merged.setdefault(lineno, [0, 0.0])
                    m[0] += hits
                    m[1] += t * stats.unit
        out: dict[tuple[str, int, str], list[dict[str, Any]]] = {}
        for key in set(traced) | set(self.samples):
            sampled = self.samples.get(key, {})
            lp = traced.get(key, {})
            total = sum(sampled.values()) or 1.0
            out[key] = [{"lineno": ln, "hits": int(lp.get(ln, (0, 0.0))[0]),
                         "time_s": sampled.get(ln, 0.0), "share": sampled.get(ln, 0.0) / total,
                         "traced_s": lp.get(ln, (0, 0.0))[1]}
                        for ln in sorted(set(sampled) | set(lp))]
        return out


def _describe(value: Any, np: Any) -> dict[str, Any] | None:
    """Shape/dtype/bytes of an ndarray, or length of a big list of numbers; None for anything else."""
    if np is not None and isinstance(value, np.ndarray):
        if value.size < MIN_ARRAY:
            return None
        kind = "memmap" if isinstance(value, np.memmap) else "ndarray"
        return {"kind": kind, "shape": list(value.shape), "dtype": str(value.dtype),
                "nbytes": int(value.nbytes)}
    if type(value) is list and len(value) >= MIN_ARRAY and type(value[0]) in (int, float):
        return {"kind": "list", "shape": [len(value)], "dtype": type(value[0]).__name__,
                "nbytes": 8 * len(value)}
    return None


def _zero_fraction(value: Any, np: Any) -> float | None:
    """Fraction of zeros, estimated on an evenly strided sub-grid of at most ~1M elements."""
    step = max(1, int((value.size / 1_000_000) ** 0.5))
    sub = value[::step, ::step]
    try:
        return 1.0 - np.count_nonzero(sub) / max(sub.size, 1)
    except Exception:  # noqa: BLE001 - exotic dtypes
        return None


def _exit_status(code: Any) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _print_user_traceback(exc: BaseException, script: str) -> None:
    """Print the script's traceback as Python would, without the harness's own frames."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != script:
        tb = tb.tb_next
    traceback.print_exception(type(exc), exc, tb, file=sys.stderr)


def _peak_rss() -> int:
    """Peak resident memory of this process and its waited-for children, in bytes (Linux: KiB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    scale = 1 if sys.platform == "darwin" else 1024
    return max(own, kids) * scale


def main() -> None:
    result_path, script, *argv = sys.argv[1:]
    harness = Harness(script, argv, result_path)
    code = harness.run()
    sys.exit(code if 0 <= code < 256 else 1)  # a normal exit: the script's atexit handlers still run


if __name__ == "__main__":
    main()
