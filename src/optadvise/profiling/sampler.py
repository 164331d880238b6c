"""The SIGPROF tick of the child harness: a wall-clock stack sampler and the profilers' duty windows.

A SIGPROF interval timer (process CPU time) ticks every `TICK` seconds. Each tick:

1. books the wall time since the previous tick to the whole Python stack of the main thread: to the
   innermost function (own time), to every function on it (cumulative time), to the stack itself
   (aggregated identical stacks, for flame graphs), and to the current line of every frame of the
   script (a statistical profile, inclusive of callees). The per-line *share* comes from this:
   a tick can only be handled between bytecodes, so a tracing window would close right after a long
   C call (a big matrix product) before line_profiler booked that line's time, while the sampler
   charges the whole gap to the line that made the call;
2. closes an open line_profiler window, or opens one: every `DUTY` ticks, and at once in a function
   of the script that no window has been opened in yet (so each function the sampler sees for more
   than a tick gets exact hit counts, however short it is). The tracer is on for about 1/DUTY of the
   CPU time, plus one tick per function, so its overhead stays bounded whatever the script does.
   (On CPython 3.11 a trace function set inside a signal handler takes effect in the interrupted
   frame at once, so a function called once with one long loop is still line-profiled.)
   line_profiler only sees code registered *before* it runs (it swaps in padded bytecode), so
   `register` registers every code object of the script before the script starts. cProfile is on
   for the first `WARM_TICKS` ticks (`warm_profiler`; `WARM_CHECK_TICK` ticks when it has counted
   calls faster than `WARM_MAX_CALL_RATE` by then), then for one tick in `DUTY` (`profiler`,
   from the warm-up's end; never in a line_profiler window, so these stay an unbiased sample of
   the CPU time), and never during the tick handler itself: a profile function slows every call
   and every bytecode on CPython 3.11, so past the warm-up the function times come from the
   sampler, and call counts are extrapolated from all the profiled time (`assembly.function_stats`;
   a function called in the warm-up only keeps its exact count; what profiling cost is calibrated
   at the end of each profiled stretch, as fast as the machine ran then: `overheads`). A run that
   ends within the warm-up (or takes SIGPROF over before it ends) keeps cProfile's exact figures:
   too few ticks to sample from.
   tracemalloc is on in the line_profiler windows too (`memory`: bytes allocated per line);
3. every `SCAN_EVERY_S` seconds, and at the first sight of each function, has the array scanner
   look at the script's live frames.

Threads the script starts are sampled by a helper thread (started at the first such thread) that
walks `sys._current_frames()` every `TICK` wall seconds: SIGPROF is handled by the main thread only,
and not while it waits in `join`.
"""

from __future__ import annotations

import _thread
import bisect
import cProfile
import dis
import importlib
import importlib.util
import os
import signal
import sys
import threading
import time
import types
from typing import Any

from optadvise.profiling.memory import MemoryWindows
from optadvise.profiling.probes import ArrayScanner

TICK = 0.005  # seconds of process CPU time between SIGPROF ticks
DUTY = 16  # besides first sights, line_profiler is on for 1 tick in DUTY (~6% of the CPU time)
WARM_TICKS = 8  # cProfile is on for the whole of the first 0.04 s of CPU time (exact for short runs)
WARM_CHECK_TICK = 2  # ... cut short here for a call-heavy script, where cProfile costs the most:
WARM_MAX_CALL_RATE = 1_000_000  # calls per CPU second under cProfile (~0.2 us of each is cProfile's)
SCAN_EVERY_S = 0.1  # look at live arrays at most this often (wall seconds), first sights aside

CALIBRATION_CALLS = 300  # calls timed with and without cProfile at the end of each profiled stretch
MAX_DISTINCT_STACKS = 50_000  # aggregated during the run; later new stacks only count as dropped
OWN_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # optadvise's own code
MAIN_THREAD = "MainThread"
WARM_UP, WINDOW = "warm-up", "window"  # which cProfile is on (`Sampler.profiling`)

CodeKey = tuple[str, int, str]  # (filename, first line, name): how line_profiler names code


def line_tracer_class() -> Any:
    """line_profiler's tracer: the `LineProfiler` of its C extension, imported without the package's
    `__init__`, which loads its command line, TOML configuration and multiprocessing support (three
    quarters of the import time, added to every profiled run). A package that is imported already is
    used as it is; the stand-in is taken out again, so the script's own `import line_profiler` gets the
    real package."""
    if "line_profiler" in sys.modules:
        return importlib.import_module("line_profiler._line_profiler").LineProfiler
    spec = importlib.util.find_spec("line_profiler")
    package = types.ModuleType("line_profiler")
    package.__path__ = list(spec.submodule_search_locations or []) if spec else []
    sys.modules["line_profiler"] = package
    try:
        return importlib.import_module("line_profiler._line_profiler").LineProfiler
    finally:
        del sys.modules["line_profiler"]


def call_overhead(calls: int) -> float:
    """Seconds cProfile adds to one call of a small function in a loop, measured now: what a
    profiled stretch of the run lost to profiling, as fast as the machine ran at the time."""
    def step(x: int) -> int:
        return x + 1

    def loop() -> float:
        t, s = time.perf_counter(), 0
        for _ in range(calls):
            s = step(s)
        return time.perf_counter() - t

    plain, profiled = [], []
    for _ in range(2):  # the better of two: a stray interrupt only ever adds
        plain.append(loop())
        profiler = cProfile.Profile()
        profiler.enable()
        profiled.append(loop())
        profiler.disable()
    return max(0.0, (min(profiled) - min(plain)) / calls)


class Sampler:
    """Samples lines and switches line_profiler on and off from the SIGPROF handler."""

    def __init__(self, script: str, scanner: ArrayScanner):
        self.script = script
        self.scanner = scanner
        self.line_profiler: Any = line_tracer_class()()
        self.line_on = False
        self.line_since = 0.0
        self.traced_cpu_s = 0.0  # main-thread CPU seconds line_profiler was on for, the warm-up's aside
        self.warm_traced_cpu_s = 0.0  # ... and within the warm-up (when cProfile was on too)
        self.memory = MemoryWindows(script, OWN_DIR)  # on and off with line_profiler
        self.ticks = 0
        self.warm_ticks = WARM_TICKS  # fewer for a call-heavy script
        self.windows = 0
        self.samples: dict[CodeKey, dict[int, float]] = {}  # sampled wall seconds per line
        self.last_tick = self.last_scan = time.perf_counter()
        self.line_starts: dict[types.CodeType, list[tuple[int, int]]] = {}
        self.scanned: set[types.CodeType] = set()
        self.windowed: set[types.CodeType] = set()  # code a window was opened in
        self.warm_profiler = cProfile.Profile()  # on for the warm-up only
        self.profiler = cProfile.Profile()  # on in the regular windows only
        self.profiling: str | None = None  # WARM_UP or WINDOW: which cProfile runs until the next tick
        self.warm_cpu_s = 0.0  # main-thread CPU seconds of the warm-up (the tick handler's aside)
        self.profile_cpu_s = 0.0  # main-thread CPU seconds the windows' cProfile was on for
        self.profile_since = 0.0
        self.overheads: list[tuple[float, float]] = []  # (CPU seconds profiled, cProfile's cost per call then)
        self.cpu0 = time.thread_time()
        self.cpu_s = 0.0  # main-thread CPU seconds from start to stop
        self.codes: dict[int, tuple[types.CodeType, bool]] = {}  # id -> (code kept alive, own code)
        self.roots: set[types.CodeType] = set()  # frames outside the script's stacks start here
        self.own: dict[int, float] = {}  # code id -> sampled seconds as the innermost frame
        self.cum: dict[int, float] = {}  # code id -> sampled seconds on the stack
        self.stacks: dict[tuple[str, tuple[int, ...]], float] = {}  # (thread, code ids) -> seconds
        self.dropped_s = 0.0  # stack time not aggregated (past MAX_DISTINCT_STACKS)
        self.stopped = False
        self.watcher_lock = threading.Lock()
        self.watching = False
        self.watcher_done = threading.Event()

    def add_root(self, code: types.CodeType) -> None:
        """Frames from the one running `code` outwards are the harness's, never the script's."""
        self.roots.add(code)

    def register(self, code: types.CodeType) -> types.CodeType:
        """Register a code object and all code nested in it; return the padded (traceable) copy."""
        if self.line_profiler is None:
            return code
        consts = tuple(self.register(c) if isinstance(c, types.CodeType) else c
                       for c in code.co_consts)
        code = code.replace(co_consts=consts)
        cells = tuple(types.CellType() for _ in code.co_freevars)  # closures need cells to exist
        holder = types.FunctionType(code, {}, None, None, cells)
        try:
            self.line_profiler.add_function(holder)
        except Exception:  # noqa: BLE001 - unprofilable code still runs, just without line timings
            return code
        return holder.__code__

    @property
    def exact(self) -> bool:
        """cProfile was on for the whole run (it ended within the warm-up, or the ticks stopped) and
        saw all of it: no other thread of the script ran (cProfile sees the main thread only)."""
        return self.ticks < self.warm_ticks and not self.watching

    def start(self) -> None:
        self.last_tick = self.last_scan = time.perf_counter()
        self.cpu0 = time.thread_time()
        signal.signal(signal.SIGPROF, self.on_tick)
        signal.setitimer(signal.ITIMER_PROF, TICK, TICK)
        self._profile_on()  # last: the profiler sees none of this

    def stop(self) -> None:
        if self.stopped:
            return
        profiled = self.profiling
        self._profile_off()  # first: the profiler sees none of this
        signal.setitimer(signal.ITIMER_PROF, 0, 0)
        self.stopped = True
        self.cpu_s = time.thread_time() - self.cpu0
        self._line_off(profiled)
        if self.watching:
            self.watcher_done.wait(1.0)

    def thread_started(self) -> None:
        """Called in each thread the script starts: the first one starts the thread watcher."""
        with self.watcher_lock:
            if self.watching or self.stopped:
                return
            self.watching = True
        _thread.start_new_thread(self._watch_threads, ())  # not a threading.Thread: not the script's

    def on_tick(self, signum: int, frame: types.FrameType | None) -> None:
        profiled = self.profiling
        self._profile_off()  # first, and back on last: cProfile is charged none of the handler
        self.ticks += 1
        now = time.perf_counter()
        self._sample(frame, now - self.last_tick, MAIN_THREAD)
        self.last_tick = now
        code = self._innermost_script_code(frame)
        self._switch_line_window(code, profiled)
        if now - self.last_scan >= SCAN_EVERY_S or (code is not None and code not in self.scanned):
            self.last_scan = now  # periodically, and at the first sight of each function
            if code is not None:
                self.scanned.add(code)
            self.scanner.scan_frames(frame)
        self._profile_on()

    def traced(self) -> dict[CodeKey, dict[int, tuple[int, float]]]:
        """line_profiler's (hits, seconds) per line of each code object it traced."""
        out: dict[CodeKey, dict[int, tuple[int, float]]] = {}
        if self.line_profiler is None:
            return out
        stats = self.line_profiler.get_stats()
        for key, timings in stats.timings.items():
            merged = out.setdefault(key, {})
            for lineno, hits, t in timings:
                h, s = merged.get(lineno, (0, 0.0))
                merged[lineno] = (h + hits, s + t * stats.unit)
        return out

    def code_info(self) -> dict[int, types.CodeType]:
        """The code objects the sampler saw, by the ids its records use."""
        return {i: code for i, (code, _own) in self.codes.items()}

    def _switch_line_window(self, code: types.CodeType | None, profiled: str | None) -> None:
        """Close an open line_profiler window (`profiled`: which cProfile ran alongside); else open
        one every DUTY ticks, or in code no window was opened in, unless a cProfile window opens."""
        if self.line_on:
            self._line_off(profiled)
            return
        lp = self.line_profiler
        if lp is not None and not self._window_tick() and (
                self.ticks % DUTY == 0 or (code is not None and code not in self.windowed)):
            self.memory.open()
            self.line_since = time.thread_time()
            lp.enable()
            self.line_on = True
            self.windows += 1
            if code is not None:
                self.windowed.add(code)

    def _window_tick(self) -> bool:
        """A tick that opens a cProfile window: every DUTY ticks from the warm-up's end."""
        return self.ticks >= self.warm_ticks and (self.ticks - self.warm_ticks) % DUTY == 0

    def _profile_on(self) -> None:
        """Switch the warm-up's cProfile (back) on until the next tick, or open a window; at
        WARM_CHECK_TICK, end a call-heavy script's warm-up."""
        if self.stopped:
            return
        if self.ticks == WARM_CHECK_TICK < self.warm_ticks:
            calls = sum(entry.callcount for entry in self.warm_profiler.getstats())
            if calls > WARM_MAX_CALL_RATE * self.warm_cpu_s:
                self.warm_ticks = self.ticks
        if self.ticks < self.warm_ticks:
            self.profiling, profiler = WARM_UP, self.warm_profiler
        elif self._window_tick():
            self.profiling, profiler = WINDOW, self.profiler
        else:
            return
        self.profile_since = time.thread_time()
        profiler.enable()  # last: it sees none of this

    def _line_off(self, profiled: str | None) -> None:
        if not self.line_on:
            return
        self.line_profiler.disable()
        self.memory.close()
        self.line_on = False
        traced = time.thread_time() - self.line_since
        if profiled == WARM_UP:
            self.warm_traced_cpu_s += traced
        else:
            self.traced_cpu_s += traced

    def _profile_off(self) -> None:
        if self.profiling is None:
            return
        spent = time.thread_time() - self.profile_since
        if self.profiling == WARM_UP:
            self.warm_profiler.disable()
            self.warm_cpu_s += spent
        else:
            self.profiler.disable()
            self.profile_cpu_s += spent
        self.profiling = None
        if not self.line_on:  # line tracing would slow the calibration too
            self.overheads.append((spent, call_overhead(CALIBRATION_CALLS)))

    def _watch_threads(self) -> None:
        """Every TICK wall seconds, sample the stack of every thread but the main one and this."""
        me, main = _thread.get_ident(), threading.main_thread().ident
        last = time.perf_counter()
        try:
            while not self.stopped:
                time.sleep(TICK)
                now = time.perf_counter()
                names = {t.ident: t.name for t in threading.enumerate()}
                for ident, frame in sys._current_frames().items():
                    if ident not in (me, main):
                        self._sample(frame, now - last, names.get(ident, f"thread {ident}"))
                last = now
        finally:
            self.watcher_done.set()

    def _sample(self, frame: types.FrameType | None, dt: float, thread: str) -> None:
        """Charge `dt` seconds to the stack from `frame` outwards: own and cumulative time of its
        functions, the stack itself, and the current line of each frame of the script."""
        ids: list[int] = []  # innermost first
        while frame is not None:
            code = frame.f_code
            if code in self.roots:
                break
            key = id(code)
            seen = self.codes.get(key)
            if seen is None:
                seen = self.codes[key] = (code, code.co_filename.startswith(OWN_DIR))
            if not seen[1]:
                ids.append(key)
            if code.co_filename == self.script:
                lineno = frame.f_lineno or self._line_before(code, frame.f_lasti)
                lines = self.samples.setdefault((code.co_filename, code.co_firstlineno, code.co_name), {})
                lines[lineno] = lines.get(lineno, 0.0) + dt
            frame = frame.f_back
        if not ids:
            return
        self.own[ids[0]] = self.own.get(ids[0], 0.0) + dt
        for key in set(ids):
            self.cum[key] = self.cum.get(key, 0.0) + dt
        stack = (thread, tuple(ids))
        if stack in self.stacks or len(self.stacks) < MAX_DISTINCT_STACKS:
            self.stacks[stack] = self.stacks.get(stack, 0.0) + dt
        else:
            self.dropped_s += dt

    def _line_before(self, code: types.CodeType, lasti: int) -> int:
        """The line of the nearest line start before `lasti`: where an instruction that has no
        line of its own (3.11's jump back at the end of a loop body ending in `if`) belongs."""
        starts = self.line_starts.get(code)
        if starts is None:
            starts = self.line_starts[code] = sorted(
                (off, line) for off, line in dis.findlinestarts(code) if line is not None)
        i = bisect.bisect_right(starts, (lasti, sys.maxsize)) - 1
        return starts[i][1] if i >= 0 else code.co_firstlineno

    def _innermost_script_code(self, frame: types.FrameType | None) -> types.CodeType | None:
        while frame is not None:
            if frame.f_code.co_filename == self.script:
                return frame.f_code
            frame = frame.f_back
        return None
