"""Shared helpers for tests/hardening: run optadvise as a user would and judge what it left behind."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

from optadvise.errors import EXIT_FINDINGS, EXIT_OK, EXIT_SCRIPT_FAILED, EXIT_TIMEOUT, EXIT_USAGE
from tests.helpers import write  # noqa: F401 - re-exported for the hardening tests

REPO = Path(__file__).resolve().parents[2]
DOCUMENTED_EXITS = {EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_SCRIPT_FAILED, EXIT_TIMEOUT}
# Frames of optadvise's own code in a traceback (the harness, runner, CLI...).
OWN_FRAME = re.compile(r'File "[^"]*[/\\]optadvise[/\\][^"]*"')


def optadvise(*args: str, cwd: Path | str, timeout: float = 60,
              env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m optadvise ARGS` in `cwd`, stdin closed. Output goes through files, not pipes, so a
    process the script leaves behind holding them cannot hang the test."""
    import tempfile

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.run([sys.executable, "-m", "optadvise", *args], cwd=cwd, stdout=out, stderr=err,
                              timeout=timeout, stdin=subprocess.DEVNULL, env={**os.environ, **(env or {})})
        texts = []
        for fh in (out, err):
            fh.seek(0)
            texts.append(fh.read().decode("utf-8", "replace"))
    return subprocess.CompletedProcess(proc.args, proc.returncode, *texts)


def tracebacks(text: str) -> list[str]:
    """Each `Traceback (most recent call last):` block in `text`, up to its exception line."""
    blocks, cur = [], None
    for line in text.splitlines():
        if line.startswith("Traceback (most recent call last):"):
            cur = [line]
            continue
        if cur is not None:
            cur.append(line)
            if line and not line.startswith(" "):
                blocks.append("\n".join(cur))
                cur = None
    if cur is not None:
        blocks.append("\n".join(cur))
    return blocks


def assert_no_own_traceback(proc: subprocess.CompletedProcess[str], script: Path | None = None) -> None:
    """optadvise never prints its own traceback; a script's traceback shows only the script's frames."""
    assert "internal error" not in proc.stderr, proc.stderr[-3000:]
    for block in tracebacks(proc.stdout + "\n" + proc.stderr):
        assert not OWN_FRAME.search(block), f"optadvise's own frames in a traceback:\n{block}"
        if script is not None:
            frames = re.findall(r'File "([^"]+)"', block)
            assert frames and frames[0] == str(script), f"first frame is not the script's:\n{block}"


def assert_exit(proc: subprocess.CompletedProcess[str], code: int) -> None:
    assert proc.returncode in DOCUMENTED_EXITS, (proc.returncode, proc.stderr[-3000:])
    assert proc.returncode == code, (proc.returncode, proc.stdout[-2000:], proc.stderr[-3000:])


def listing(d: Path) -> set[str]:
    """Every path under `d` (relative), hidden files and __pycache__ included."""
    return {str(p.relative_to(d)) for p in d.rglob("*")}


def optadvise_temps() -> set[str]:
    """optadvise's temp folders in the system temp dir (the runner's `optadvise-*` folders)."""
    import tempfile

    return {p.name for p in Path(tempfile.gettempdir()).glob("optadvise-*")}


def pids_alive(pids: list[int]) -> list[int]:
    """Those of `pids` that still exist as live (non-zombie) processes."""
    alive = []
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                alive.append(pid)
        except psutil.NoSuchProcess:
            pass
    return alive


def wait_gone(pids: list[int], within: float = 3.0) -> list[int]:
    end = time.monotonic() + within
    while True:
        alive = pids_alive(pids)
        if not alive or time.monotonic() > end:
            return alive
        time.sleep(0.05)


def read_pids(path: Path) -> list[int]:
    return [int(x) for x in path.read_text().split()] if path.exists() else []


def kill_pids(pids: list[int]) -> None:
    """Clean up after a failed test: kill the processes the test's own script started."""
    for pid in pids_alive(pids):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
