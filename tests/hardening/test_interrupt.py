"""Ctrl-C on `optadvise profile`: exit 130 with one line, the script's whole tree stopped, temps gone."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from .util import assert_no_own_traceback, kill_pids, listing, wait_gone, write

pytestmark = pytest.mark.slow

MARKER_SCRIPT = """
    import time
    time.sleep(1.5)
    open("still_ran.txt", "w").write("the script kept running after optadvise was interrupted")
    """


def test_sigint_while_script_runs(tmp_path: Path) -> None:
    proj, systmp = tmp_path / "proj", tmp_path / "systmp"
    proj.mkdir()
    systmp.mkdir()
    write(proj, "marker.py", MARKER_SCRIPT)
    before = listing(proj)
    proc = subprocess.Popen([sys.executable, "-m", "optadvise", "profile", "marker.py"], cwd=proj,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "TMPDIR": str(systmp)})
    kids: list[int] = []
    deadline = time.monotonic() + 20
    while not kids and time.monotonic() < deadline:
        kids = [c.pid for c in psutil.Process(proc.pid).children(recursive=True)]
        time.sleep(0.02)
    time.sleep(0.3)  # inside the script's sleep
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    try:
        assert kids
        assert proc.returncode == 130, err
        assert err.strip().splitlines()[-1] == "optadvise: interrupted"
        assert_no_own_traceback(subprocess.CompletedProcess(proc.args, 130, out, err))
        assert not wait_gone(kids)
        time.sleep(1.5)
        assert listing(proj) == before  # the script never reached its last line
        assert not list(systmp.iterdir())
    finally:
        kill_pids(kids)


def test_sigint_right_after_child_start_stops_the_script(tmp_path: Path) -> None:
    """Fault injection at the exact race point seen with real signals (~0.1 s after start)."""
    write(tmp_path, "marker.py", MARKER_SCRIPT)
    driver = (
        "import sys, optadvise.profiling.child as c\n"
        "def watch(self, pid):\n"
        "    raise KeyboardInterrupt  # the SIGINT arrives just after Popen returned\n"
        "c._TreeWatcher.watch = watch\n"
        "from optadvise.cli import main\n"
        "sys.argv = ['optadvise', 'profile', 'marker.py']\n"
        "main()\n")
    proc = subprocess.run([sys.executable, "-c", driver], cwd=tmp_path, capture_output=True, text=True,
                          timeout=30, stdin=subprocess.DEVNULL)
    time.sleep(2.0)
    assert proc.returncode == 130
    assert not (tmp_path / "still_ran.txt").exists(), "the script kept running after the interrupt"
    assert_no_own_traceback(proc)
