"""`wait_exit`: the child's exit status as soon as it ends, a TimeoutExpired when it outlives the timeout."""

from __future__ import annotations

import subprocess
import sys

import pytest

from optadvise.profiling.child import wait_exit


def test_an_exited_child_is_reaped_with_its_status():
    proc = subprocess.Popen([sys.executable, "-c", "raise SystemExit(7)"])
    wait_exit(proc, timeout=30.0)
    assert proc.returncode == 7


def test_a_child_that_outlives_the_timeout_raises_and_keeps_running():
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        with pytest.raises(subprocess.TimeoutExpired):
            wait_exit(proc, timeout=0.2)
        assert proc.poll() is None
    finally:
        proc.kill()
        proc.wait()
