"""Parent side of `optadvise profile`: start the harness in a child process, watch it, read its result.

The script runs with the user's working directory, arguments and environment, stdin closed, in its
own process group (a timeout kills every process it started). While it runs, memory_profiler samples
the resident memory of the whole process tree; the child's own result file carries everything else.
"""

from __future__ import annotations

import ast
import os
import sys
import tempfile
from dataclasses import dataclass, field

from optadvise.errors import EXIT_OK, EXIT_SCRIPT_FAILED, EXIT_TIMEOUT
from optadvise.model import Finding, Profile
from optadvise.profiling.child import run_child
from optadvise.profiling.gil import GilSampler
from optadvise.profiling.message import read_report
from optadvise.source import load_script

TERM_GRACE_S = 5.0  # after the timeout: how long the harness gets to save what it measured


@dataclass
class ProfileRun:
    """One profiled run: the measurements, what the rules made of them, and how it ended."""

    profile: Profile
    findings: list[Finding]
    source: str
    exit_code: int
    stdout: str = ""  # the script's stdout, when captured
    stderr: str = ""
    notes: list[str] = field(default_factory=list)


def profile_script(script: str, args: list[str], *, timeout: float = 600.0, json_mode: bool = False,
                   capture: bool = False, progress: bool = True) -> ProfileRun:
    """Profile `script` with `args` in a child process and diagnose it.

    Output of the script passes through (to stderr in json_mode, so stdout stays one JSON
    document), or is captured when `capture` is set. Raises OptadviseError for bad input.
    """
    from optadvise.diagnose import diagnose

    source, tree = load_script(script)
    path = os.path.abspath(script)
    with tempfile.TemporaryDirectory(prefix="optadvise-") as tmp:
        result_path = os.path.join(tmp, "result.json")
        argv = [sys.executable, "-m", "optadvise.profiling.harness", result_path, path, *args]
        gil = GilSampler() if _uses_threads(tree) else None
        try:
            with _spinner(f"Profiling {script}", enabled=progress and not capture):
                watch = run_child(argv, timeout=timeout, capture=capture,
                                  stdout=sys.stderr if json_mode else None, term_grace=TERM_GRACE_S,
                                  measure_memory=True, on_start=gil.attach if gil else None)
            gil_stat = gil.result(path) if gil else None
        finally:
            if gil:
                gil.discard()
        report = read_report(result_path)
    profile = Profile(script=path, argv=list(args), cwd=os.getcwd(), ram_bytes=_ram_bytes(),
                      cpu_count=os.cpu_count() or 1, gpu=_gpu_name())
    notes = []
    if report is not None:
        profile = report.fill(profile)
    else:
        notes.append("the script was stopped before the profiler could save its measurements")
        profile.wall_s = watch.wall_s
    profile.gil = gil_stat
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
    findings = diagnose(profile, source, tree, path)
    return ProfileRun(profile, findings, source, exit_code, watch.stdout, watch.stderr, notes)


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


def _gpu_name() -> str | None:
    """The CUDA device's name when CuPy is installed and sees a device; never imports CuPy otherwise."""
    import importlib.util

    if importlib.util.find_spec("cupy") is None:
        return None
    try:
        import cupy

        if cupy.cuda.runtime.getDeviceCount() < 1:
            return None
        props = cupy.cuda.runtime.getDeviceProperties(0)
        name = props.get("name", b"GPU")
        return name.decode() if isinstance(name, bytes) else str(name)
    except Exception:  # noqa: BLE001 - no driver, no device: no GPU
        return None


class _spinner:
    """A rich spinner on stderr while the script runs, only when stderr is a terminal."""

    def __init__(self, text: str, enabled: bool):
        self.text = text
        self.status = None
        if enabled and sys.stderr.isatty():
            from rich.console import Console

            self.status = Console(stderr=True).status(f"{text} (its output follows)…")

    def __enter__(self) -> "_spinner":
        if self.status is not None:
            self.status.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.status is not None:
            self.status.stop()
