"""`optadvise fix` against hostile scripts: documented exit codes, one-line errors, the script file
untouched, nothing left behind, no process left running, and --timeout honoured."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from optadvise.errors import EXIT_FINDINGS, EXIT_SCRIPT_FAILED, EXIT_TIMEOUT
from optadvise.profiling.runner import TERM_GRACE_S

from .util import assert_exit, assert_no_own_traceback, kill_pids, listing, optadvise, read_pids, wait_gone, write

pytestmark = pytest.mark.slow


def fix(tmp_path: Path, source: str, *extra: str, timeout: float = 5, wall: float = 60):
    proj, systmp = tmp_path / "proj", tmp_path / "systmp"
    proj.mkdir()
    systmp.mkdir()
    script = write(proj, "hostile.py", source)
    raw, before = script.read_bytes(), listing(proj)
    t = time.monotonic()
    proc = optadvise("fix", "--apply", "--timeout", str(timeout), "hostile.py", *extra, cwd=proj,
                     timeout=wall, env={"TMPDIR": str(systmp)})
    took = time.monotonic() - t
    assert script.read_bytes() == raw
    assert_no_own_traceback(proc)
    assert not list(systmp.iterdir())
    return proc, listing(proj) - before, took


def one_line_error(proc) -> str:
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("optadvise:")]
    assert len(lines) == 1 and lines[0].startswith("optadvise: error: "), proc.stderr[-2000:]
    return lines[0]


def test_infinite_loop_times_out(tmp_path: Path) -> None:
    proc, new, took = fix(tmp_path, "while True:\n    pass\n", timeout=1)
    assert_exit(proc, EXIT_TIMEOUT)
    assert "timeout" in one_line_error(proc)
    assert not new and took < 1 + TERM_GRACE_S + 5


@pytest.mark.parametrize("body, code", [
    ("import os\nprint('x', flush=True)\nos._exit(3)\n", EXIT_SCRIPT_FAILED),
    ("name = input()\n", EXIT_SCRIPT_FAILED),
    ("def f(n):\n    return f(n + 1)\nf(0)\n", EXIT_SCRIPT_FAILED),
    ("import sys\nsys.exit('bad input')\n", EXIT_SCRIPT_FAILED),
])
def test_failing_scripts_one_line(tmp_path: Path, body: str, code: int) -> None:
    proc, new, _ = fix(tmp_path, body)
    assert_exit(proc, code)
    one_line_error(proc)
    assert not new


def test_huge_output_chdir_and_fork(tmp_path: Path) -> None:
    proc, new, _ = fix(tmp_path, """
        import os, sys
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        os.waitpid(pid, 0)
        os.makedirs("sub", exist_ok=True)
        os.chdir("sub")
        line = "y" * 1023 + "\\n"
        for _ in range(20 * 1024):
            sys.stdout.write(line)
        """, timeout=30)
    assert_exit(proc, EXIT_FINDINGS)
    assert new <= {"sub"}


def test_background_child_does_not_fake_a_timeout(tmp_path: Path) -> None:
    try:
        proc, _, took = fix(tmp_path, """
            import subprocess, sys
            kid = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
            open("pids.txt", "w").write(str(kid.pid))
            print("started a helper")
            """, timeout=1)
        assert proc.returncode == EXIT_FINDINGS, proc.stderr[-2000:]
        assert took < 1 + TERM_GRACE_S
    finally:
        assert not wait_gone(read_pids(tmp_path / "proj" / "pids.txt"))  # killed after the run
        kill_pids(read_pids(tmp_path / "proj" / "pids.txt"))


def test_daemon_child_does_not_hang_fix(tmp_path: Path) -> None:
    try:
        proc, _, took = fix(tmp_path, """
            import subprocess, sys
            kid = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(8)"],
                                   start_new_session=True)
            open("pids.txt", "w").write(str(kid.pid))
            print("started a daemon")
            """, timeout=1)
        assert took < 1 + TERM_GRACE_S, f"fix took {took:.1f} s with --timeout 1"
    finally:
        kill_pids(read_pids(tmp_path / "proj" / "pids.txt"))
