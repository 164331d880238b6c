"""py-spy, attached from outside, samples which Python stacks hold the GIL (for threaded scripts).

`py-spy record --gil` keeps only samples taken while some thread holds the GIL. Against the ticks the
run lasted, that is the share of wall time the GIL was held; by function, which code held it. A
CPU-bound thread pool holds it nearly all the time; waiting threads, and native code that releases
it, do not. Where py-spy is missing or may not attach (no ptrace permission), `GilSampler.result`
says why and the rules fall back to CPU-against-wall time.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time

from optadvise.model import GilStat
from optadvise.tools import find_tool

RATE_HZ = 100


class GilSampler:
    """Runs `py-spy record --gil` against a pid for as long as it lives."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None
        self.error: str | None = None
        self.start_time = 0.0
        self.folder = tempfile.mkdtemp(prefix="optadvise-gil-")
        self.out = os.path.join(self.folder, "gil.txt")

    def attach(self, pid: int) -> None:
        exe = find_tool("py-spy")
        if exe is None:
            self.error = "py-spy is not installed"
            return
        self.start_time = time.perf_counter()
        self.proc = subprocess.Popen(
            [exe, "record", "--pid", str(pid), "--gil", "--nonblocking", "--format", "raw",
             "--rate", str(RATE_HZ), "-o", self.out],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    def result(self, script: str) -> GilStat | None:
        """Stop sampling (the target has exited) and read what py-spy wrote."""
        if self.proc is None:
            return None
        try:
            _, err = self.proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
        seconds = time.perf_counter() - self.start_time
        try:
            with open(self.out) as fh:
                lines = fh.read().splitlines()
        except OSError:
            reason = (err or "").strip().splitlines()
            self.error = f"py-spy could not sample the script ({reason[-1] if reason else 'no output'})"
            return None
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
        held, by_function = 0, dict[str, int]()
        name = os.path.basename(script)
        for line in lines:
            stack, _, count = line.rpartition(" ")
            if not count.isdigit():
                continue
            held += int(count)
            user = [f for f in stack.split(";") if f"({name}:" in f]
            if user:  # the innermost frame of the script: "fn (script.py:12)"
                fn = user[-1].split(" (", 1)[0]
                by_function[fn] = by_function.get(fn, 0) + int(count)
        return GilStat(rate_hz=RATE_HZ, seconds=seconds, held_samples=held,
                       by_function=by_function)

    def discard(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.folder, ignore_errors=True)
