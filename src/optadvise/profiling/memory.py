"""Memory allocated per line of the script, from tracemalloc switched on in the sampler's windows only.

tracemalloc slows every allocation while it traces, so the sampler turns it on with line_profiler's
duty windows (`open`) and off when they close (`close`): at the close, every block allocated in the
window and still alive is charged to each line of the script on its traceback (inclusive of calls
made on the line, as the sampled time is). Blocks allocated by optadvise itself (the tick handler
runs on top of the script's frames) are left out. NumPy reports its array buffers to tracemalloc, so
lines that make big arrays show up. Per line: `net` sums the windows' figures (a lower bound: only
sampled windows are seen), `peak` keeps the largest single window's.
"""

from __future__ import annotations

import tracemalloc

FRAMES = 16  # traceback depth kept per allocation: the script's frame must be within this many


class MemoryWindows:
    """Per-line allocation figures of `script`, gathered in short tracemalloc windows."""

    def __init__(self, script: str, own_dir: str):
        self.script = script
        self.own_dir = own_dir
        self.tracing = False  # a window of ours is open (never on while the script traces itself)
        self.net: dict[int, int] = {}  # line -> bytes allocated in windows, alive at their close
        self.peak: dict[int, int] = {}  # line -> the largest such figure of one window

    def open(self) -> None:
        if not self.tracing and not tracemalloc.is_tracing():
            tracemalloc.start(FRAMES)
            self.tracing = True

    def close(self) -> None:
        if not self.tracing:
            return
        self.tracing = False
        snapshot = tracemalloc.take_snapshot()
        tracemalloc.stop()
        window: dict[int, int] = {}
        for stat in snapshot.statistics("traceback"):
            for line in self._script_lines(stat.traceback):
                window[line] = window.get(line, 0) + stat.size
        for line, size in window.items():
            self.net[line] = self.net.get(line, 0) + size
            self.peak[line] = max(self.peak.get(line, 0), size)

    def _script_lines(self, traceback: tracemalloc.Traceback) -> set[int]:
        """The script's lines on an allocation's traceback; none when optadvise itself allocated."""
        frames = list(traceback)  # oldest first
        if not frames or frames[-1].filename.startswith(self.own_dir):
            return set()
        return {f.lineno for f in frames if f.filename == self.script}
