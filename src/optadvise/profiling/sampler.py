"""The SIGPROF tick of the child harness: a wall-clock line sampler and line_profiler's duty windows.

A SIGPROF interval timer (process CPU time) ticks every `TICK` seconds. Each tick:

1. books the wall time since the previous tick to the current line of every frame of the script on
   the stack (a statistical profile, inclusive of callees). The per-line *share* comes from this:
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
   `register` registers every code object of the script before the script starts;
3. every `SCAN_EVERY_S` seconds, and at the first sight of each function, has the array scanner
   look at the script's live frames.
"""

from __future__ import annotations

import bisect
import dis
import signal
import sys
import time
import types
from typing import Any

from optadvise.profiling.probes import ArrayScanner

try:
    from line_profiler import LineProfiler
except ImportError:  # pragma: no cover - a declared dependency; degrade to the sampler only
    LineProfiler = None

TICK = 0.005  # seconds of process CPU time between SIGPROF ticks
DUTY = 16  # besides first sights, line_profiler is on for 1 tick in DUTY (~6% of the CPU time)
SCAN_EVERY_S = 0.1  # look at live arrays at most this often (wall seconds), first sights aside

CodeKey = tuple[str, int, str]  # (filename, first line, name): how line_profiler names code


class Sampler:
    """Samples lines and switches line_profiler on and off from the SIGPROF handler."""

    def __init__(self, script: str, scanner: ArrayScanner):
        self.script = script
        self.scanner = scanner
        self.line_profiler: Any = LineProfiler() if LineProfiler is not None else None
        self.line_on = False
        self.ticks = 0
        self.windows = 0
        self.samples: dict[CodeKey, dict[int, float]] = {}  # sampled wall seconds per line
        self.last_tick = self.last_scan = time.perf_counter()
        self.line_starts: dict[types.CodeType, list[tuple[int, int]]] = {}
        self.scanned: set[types.CodeType] = set()
        self.windowed: set[types.CodeType] = set()  # code a window was opened in

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

    def start(self) -> None:
        signal.signal(signal.SIGPROF, self.on_tick)
        signal.setitimer(signal.ITIMER_PROF, TICK, TICK)

    def stop(self) -> None:
        signal.setitimer(signal.ITIMER_PROF, 0, 0)
        if self.line_on:
            self.line_profiler.disable()
            self.line_on = False

    def on_tick(self, signum: int, frame: types.FrameType | None) -> None:
        self.ticks += 1
        now = time.perf_counter()
        self._sample(frame, now - self.last_tick)
        self.last_tick = now
        code = self._innermost_script_code(frame)
        self._switch_window(code)
        if now - self.last_scan >= SCAN_EVERY_S or (code is not None and code not in self.scanned):
            self.last_scan = now  # periodically, and at the first sight of each function
            if code is not None:
                self.scanned.add(code)
            self.scanner.scan_frames(frame)

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

    def _switch_window(self, code: types.CodeType | None) -> None:
        """Close the open window; else open one every DUTY ticks or in code no window was opened in."""
        lp = self.line_profiler
        if lp is None:
            return
        if self.line_on:
            lp.disable()
            self.line_on = False
        elif self.ticks % DUTY == 0 or (code is not None and code not in self.windowed):
            lp.enable()
            self.line_on = True
            self.windows += 1
            if code is not None:
                self.windowed.add(code)

    def _sample(self, frame: types.FrameType | None, dt: float) -> None:
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

    def _innermost_script_code(self, frame: types.FrameType | None) -> types.CodeType | None:
        while frame is not None:
            if frame.f_code.co_filename == self.script:
                return frame.f_code
            frame = frame.f_back
        return None
