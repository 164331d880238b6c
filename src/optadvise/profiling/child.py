"""Run a command in a child process group with a timeout, closed stdin, and captured or passed output.

Used for every child optadvise starts (the profiled script, verification re-runs). The child gets its
own process group so a timeout kills the whole tree, grandchildren included.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import IO


@dataclass
class ChildResult:
    returncode: int | None  # None when killed for the timeout
    stdout: str
    stderr: str
    wall_s: float
    timed_out: bool


def run_child(argv: list[str], *, cwd: str, timeout: float | None, env: dict[str, str] | None = None,
              capture: bool = True, stdout: IO[str] | None = None, stderr: IO[str] | None = None,
              ) -> ChildResult:
    """Run `argv` to completion or timeout. With capture=False output goes to `stdout`/`stderr`
    (default: ours). Stdin is closed (a script that reads it sees EOF instead of hanging)."""
    out = subprocess.PIPE if capture else (stdout or sys.stdout)
    err = subprocess.PIPE if capture else (stderr or sys.stderr)
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                            text=True, errors="replace", start_new_session=True)
    try:
        o, e = proc.communicate(timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        kill_group(proc)
        o, e = proc.communicate()
        timed_out = True
    except BaseException:  # KeyboardInterrupt: never leave the child tree running
        kill_group(proc)
        proc.wait()
        raise
    finally:
        # a script may leave children running in its group after it exits: reap them too
        kill_group(proc, only_leftovers=True)
    return ChildResult(None if timed_out else proc.returncode, o or "", e or "",
                       time.perf_counter() - start, timed_out)


def kill_group(proc: subprocess.Popen, only_leftovers: bool = False) -> None:
    """SIGKILL the child's whole process group (the child leads it)."""
    if only_leftovers and proc.returncode is None:
        return
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
