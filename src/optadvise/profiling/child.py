"""Run a command in a child process with a timeout, closed stdin, and captured or passed-through output.

Used for every child optadvise starts (the profiled script, verification re-runs). The child leads a
new session and process group; a watcher thread also records every descendant it sees (scripts may
start children in sessions of their own), so a timeout, an interrupt or the end of the run kills the
whole tree. Output pipes are read by threads, so a background process that inherits them cannot make
optadvise wait for it once the script itself has exited.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

PIPE_DRAIN_S = 2.0  # after the script exits: how long to wait for pipes held by its leftovers
POLL_S = 0.1


@dataclass
class ChildResult:
    returncode: int | None  # None when killed for the timeout
    stdout: str
    stderr: str
    wall_s: float
    timed_out: bool
    peak_rss: int = 0  # bytes, the whole process tree, when measured


def run_child(argv: list[str], *, cwd: str | None = None, timeout: float | None,
              env: dict[str, str] | None = None, capture: bool = True,
              stdout: IO[str] | None = None, stderr: IO[str] | None = None,
              term_grace: float = 0.0, measure_memory: bool = False,
              on_start: Callable[[int], None] | None = None,
              launch: Callable[[], subprocess.Popen | None] | None = None) -> ChildResult:
    """Run `argv` to completion or timeout; on timeout send SIGTERM first when `term_grace` > 0
    (the child may save what it has), then kill the tree. Without `capture`, output goes to
    `stdout`/`stderr` (default: ours). Stdin is closed: a child that reads it sees end-of-file.
    `on_start(pid)` is called once the child exists (to attach samplers to it). `launch`, when given,
    returns a child already running `argv`'s work in a session of its own, with its own stdout and
    stderr (`early`), or None to have it started here."""
    start = time.perf_counter()
    proc: subprocess.Popen | None = None
    watcher = _TreeWatcher(measure_memory)
    readers: list[_Reader] = []
    timed_out = False
    try:
        proc = (launch() if launch is not None else None) or subprocess.Popen(
            argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE if capture else (stdout or sys.stdout),
            stderr=subprocess.PIPE if capture else (stderr or sys.stderr),
            text=True, errors="replace", start_new_session=True)
        watcher.watch(proc.pid)
        if on_start is not None:
            on_start(proc.pid)
        readers = [_Reader(p) for p in (proc.stdout, proc.stderr)]
        try:
            wait_exit(proc, timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            if term_grace > 0:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=term_grace)
                except subprocess.TimeoutExpired:
                    pass
    finally:  # normal end, timeout or KeyboardInterrupt: nothing the script started survives
        watcher.stop()
        if proc is not None:
            watcher.kill_all(proc)
            proc.wait()
        for r in readers:
            r.join(PIPE_DRAIN_S)
    assert proc is not None
    out, err = (r.text() for r in readers)
    return ChildResult(None if timed_out else proc.returncode, out, err,
                       time.perf_counter() - start, timed_out, watcher.peak_rss)


def wait_exit(proc: subprocess.Popen, timeout: float | None) -> None:
    """`proc.wait(timeout)`, woken the moment the child exits: `Popen.wait` with a timeout polls with
    sleeps of up to 50 ms, which every run would add to its wall time. Linux: a pidfd; elsewhere,
    `Popen.wait`. Raises subprocess.TimeoutExpired."""
    try:
        fd = os.pidfd_open(proc.pid) if timeout is not None and hasattr(os, "pidfd_open") else None
    except OSError:  # an old kernel, or the pid is gone already
        fd = None
    if fd is None or timeout is None:
        proc.wait(timeout=timeout)
        return
    try:
        ready, _, _ = select.select([fd], [], [], timeout)
    finally:
        os.close(fd)
    if not ready:
        raise subprocess.TimeoutExpired(proc.args, timeout)
    proc.wait()


class _Reader(threading.Thread):
    """Drains one pipe (or does nothing for None) into memory."""

    def __init__(self, pipe: IO[str] | None):
        super().__init__(daemon=True)
        self.pipe = pipe
        self.chunks: list[str] = []
        if pipe is not None:
            self.start()

    def run(self) -> None:
        assert self.pipe is not None
        try:
            for chunk in iter(lambda: self.pipe.read(65536), ""):  # type: ignore[union-attr]
                self.chunks.append(chunk)
        except (OSError, ValueError):
            pass

    def join(self, timeout: float | None = None) -> None:
        if self.pipe is not None:
            super().join(timeout)

    def text(self) -> str:
        return "".join(self.chunks)


class _TreeWatcher(threading.Thread):
    """Every POLL_S: records the child's descendants (pid and start time, to never kill a reused
    pid) and, when asked, the tree's resident memory through memory_profiler."""

    def __init__(self, measure_memory: bool):
        super().__init__(daemon=True)
        self.measure_memory = measure_memory
        self.pid = 0
        self.peak_rss = 0
        self.seen: dict[int, float] = {}
        self._stop_event = threading.Event()

    def watch(self, pid: int) -> None:
        self.pid = pid
        self.start()

    def run(self) -> None:
        import psutil  # here, not at the top: the child starts before the parent imports more

        memory_usage = _import_memory_usage() if self.measure_memory else None
        try:
            root = psutil.Process(self.pid)
        except psutil.Error:
            return
        while not self._stop_event.is_set():
            try:
                for p in root.children(recursive=True):
                    self.seen.setdefault(p.pid, p.create_time())
                if memory_usage is not None:
                    mib = memory_usage(self.pid, interval=0, include_children=True, max_usage=True)
                    self.peak_rss = max(self.peak_rss, int(float(mib) * 2**20))
            except Exception:  # noqa: BLE001 - processes come and go between calls
                if not root.is_running():
                    return
            self._stop_event.wait(POLL_S)

    def stop(self) -> None:
        self._stop_event.set()
        if self.is_alive():
            self.join(1.0)

    def kill_all(self, proc: subprocess.Popen) -> None:
        """SIGKILL the child's process group and every descendant seen, wherever it lives now."""
        kill_group(proc)
        if not self.seen:
            return
        import psutil

        for pid, created in list(self.seen.items()):
            try:
                p = psutil.Process(pid)
                if abs(p.create_time() - created) < 1e-3:
                    p.kill()
            except psutil.Error:
                pass


def kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL the child's whole process group (the child leads it)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _import_memory_usage() -> Callable[..., Any]:
    """memory_profiler's sampler, without the IPython magics it imports when IPython is installed
    (a third of a second we would add to every profile)."""
    if "memory_profiler" not in sys.modules and "IPython" not in sys.modules:
        sys.modules["IPython"] = None  # type: ignore[assignment]  # makes its import fail fast
        try:
            import memory_profiler  # noqa: F401
        finally:
            del sys.modules["IPython"]
    from memory_profiler import memory_usage

    return memory_usage
