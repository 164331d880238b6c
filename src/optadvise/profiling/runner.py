"""Parent side of profiling: start the harness in a child process, watch it, read its result.

The script runs with the user's working directory, arguments and environment, stdin closed, in its
own process group (a timeout kills every process it started). While it runs, memory_profiler samples
the resident memory of the whole process tree; the child's own result file carries everything else.

Only what starting the child needs is imported before it starts, the rest late (inside functions):
on a short script, the start-up is most of what profiling costs.
"""

from __future__ import annotations

import ast
import os
import sys
import tempfile
from collections.abc import Callable
from typing import TYPE_CHECKING

from optadvise.errors import EXIT_OK, EXIT_SCRIPT_FAILED, EXIT_TIMEOUT
from optadvise.profiling.child import run_child
from optadvise.profiling.early import HARNESS, EarlyHarness

if TYPE_CHECKING:
    from optadvise.model import Profile, ProfileRun

TERM_GRACE_S = 5.0  # after the timeout: how long the harness gets to save what it measured


def profile_script(script: str, source: str, tree: ast.Module, args: list[str], *,
                   timeout: float = 600.0, json_mode: bool = False, capture: bool = False,
                   while_running: Callable[[], None] | None = None,
                   early: EarlyHarness | None = None) -> ProfileRun:
    """Profile `script` (already read as `source` and `tree`) with `args` in a child process.

    Output of the script passes through (to stderr in json_mode, so stdout stays one JSON
    document), or is captured when `capture` is set. `while_running` is called once the child has
    started (work of the caller's that overlaps the run). An `early` harness, when given and the
    output is not captured, runs the script (else a new one is started). The run has no findings
    yet: diagnosis is the next stage, not the profiler's.
    """
    path = os.path.abspath(script)
    with tempfile.TemporaryDirectory(prefix="optadvise-") as tmp:
        result_path = os.path.join(tmp, "result.json")
        argv = [sys.executable, "-c", HARNESS, result_path, path, *args]
        gil = None
        if _uses_threads(tree):
            from optadvise.profiling.gil import GilSampler

            gil = GilSampler()

        def started(pid: int) -> None:
            if gil is not None:
                gil.attach(pid)
            if while_running is not None:
                while_running()

        try:
            hand_over = None if early is None or capture else (
                lambda: early.release(result_path, path, args, stdout_to_stderr=json_mode))
            watch = run_child(argv, timeout=timeout, capture=capture,
                              stdout=sys.stderr if json_mode else None, term_grace=TERM_GRACE_S,
                              measure_memory=True, on_start=started, launch=hand_over)
            gil_stat = gil.result(path) if gil else None
        finally:
            if gil:
                gil.discard()
        from optadvise.profiling.message import read_report  # late: see the module docstring

        report = read_report(result_path)
    from optadvise.gpu import gpu_name
    from optadvise.model import Profile, ProfileRun

    profile = Profile(script=path, argv=list(args), cwd=os.getcwd(), ram_bytes=_ram_bytes(),
                      cpu_count=os.cpu_count() or 1, gpu=gpu_name())
    notes = []
    if report is not None:
        profile = report.fill(profile)
    else:
        notes.append("the script was stopped before the profiler could save its measurements")
        profile.wall_s = watch.wall_s
    profile.gil = gil_stat
    notes.extend(_sampling_notes(profile))
    if gil is not None and gil.error:
        notes.append(f"GIL share not measured: {gil.error}")
    profile.timed_out = watch.timed_out
    profile.returncode = None if watch.timed_out else watch.returncode
    profile.peak_rss_bytes = max(profile.peak_rss_bytes, watch.peak_rss)
    if profile.exception and profile.exception.startswith("EOFError"):
        notes.append("the script read standard input, which optadvise closes; pass the input "
                     "as a file or an argument instead")
    if watch.timed_out:
        exit_code = EXIT_TIMEOUT
    elif profile.returncode:
        exit_code = EXIT_SCRIPT_FAILED
    else:
        exit_code = EXIT_OK
    return ProfileRun(profile, [], source, exit_code, watch.stdout, watch.stderr, notes)


def _sampling_notes(profile: Profile) -> list[str]:
    """Say which figures are sampled, and what worker processes did (not in the function table)."""
    notes = []
    if profile.sample_interval_s and any(f.sampled for f in profile.functions):
        notes.append(f"function times are sampled (every {profile.sample_interval_s * 1000:g} ms of "
                     "CPU time, all threads); call counts are extrapolated from cProfile's warm-up and "
                     "short windows")
    kids = profile.children
    if kids is not None:
        ran = ", ".join(f"{name} ({n}x)" for name, n in list(kids.targets.items())[:3]) or "unknown"
        notes.append(f"{kids.processes} worker process(es) ran {ran}: {kids.wall_s:.2f} s of wall "
                     f"time, {kids.cpu_s:.2f} s of CPU; their time is not in the function table")
    return notes


def _uses_threads(tree: ast.Module) -> bool:
    """Whether the script imports threading or concurrent.futures (then py-spy samples the GIL)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] in ("threading", "concurrent")
                                                for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in (
                "threading", "concurrent"):
            return True
    return False


def _ram_bytes() -> int:
    import psutil

    return int(psutil.virtual_memory().total)
