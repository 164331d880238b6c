"""How a profiled script can end: raise, sys.exit(n), hang past --timeout, read stdin."""

from __future__ import annotations

import os
import time

import pytest

from tests.helpers import function, optadvise, profile_json, write

pytestmark = pytest.mark.slow

BUSY = """
def busy(n):
    s = 0
    for k in range(n):
        s += k * k
    return s
"""


def test_script_that_raises_text_report(tmp_path):
    write(tmp_path, "boom.py", BUSY + "busy(300_000)\nraise ValueError('bad value 42')\n")
    proc = optadvise("profile", "boom.py", cwd=tmp_path)
    assert proc.returncode == 3, proc.stderr
    assert "ValueError: bad value 42" in proc.stdout  # the report names the exception
    assert "busy" in proc.stdout  # ...and still shows the profile of what ran
    assert "ValueError: bad value 42" in proc.stderr  # the script's own traceback, as Python prints it
    assert "optadvise/profiling" not in proc.stderr  # without the harness's frames


def test_script_that_raises_json(tmp_path):
    write(tmp_path, "boom.py", BUSY + "busy(300_000)\nraise ValueError('bad value 42')\n")
    proc, doc = profile_json("boom.py", cwd=tmp_path)
    assert proc.returncode == 3
    assert doc["exit_code"] == 3
    assert doc["exception"] == "ValueError: bad value 42"
    assert doc["returncode"] == 1
    assert function(doc, "busy")["calls"] == 1


@pytest.mark.parametrize("call, returncode, exit_code", [
    ("sys.exit(5)", 5, 3),
    ("sys.exit(0)", 0, 0),
    ("sys.exit()", 0, 0),
    ("sys.exit('fatal: no data')", 1, 3),
])
def test_sys_exit(tmp_path, call, returncode, exit_code):
    write(tmp_path, "ex.py", f"import sys\nprint('before')\n{call}\nprint('after')\n")
    proc, doc = profile_json("ex.py", cwd=tmp_path)
    assert proc.returncode == exit_code, proc.stderr
    assert doc["returncode"] == returncode
    assert doc["exit_code"] == exit_code
    assert doc["exception"] is None
    assert "before" in proc.stderr and "after" not in proc.stderr  # json mode: script output on stderr


def test_sys_exit_text_report_shows_status(tmp_path):
    write(tmp_path, "ex.py", "import sys\nsys.exit(7)\n")
    proc = optadvise("profile", "ex.py", cwd=tmp_path)
    assert proc.returncode == 3
    assert "exit 7" in proc.stdout


def test_timeout_kills_and_reports_what_was_measured(tmp_path):
    write(tmp_path, "hang.py", """
        def spin():
            k = 0
            while True:
                k += 1

        spin()
    """)
    start = time.perf_counter()
    proc, doc = profile_json("hang.py", cwd=tmp_path, extra=("--timeout", "1"))
    assert time.perf_counter() - start < 15
    assert proc.returncode == 4, proc.stderr
    assert doc["timed_out"] is True and doc["exit_code"] == 4 and doc["returncode"] is None
    spin = function(doc, "spin")
    assert spin["lines"], "the line heat of the looping function was measured"
    assert 0 < doc["wall_s"] <= 1.5  # the script's share of the 1 s depends on the child's start-up


def test_timeout_text_report(tmp_path):
    write(tmp_path, "hang.py", "import time\ntime.sleep(30)\n")
    proc = optadvise("profile", "--timeout", "0.5", "hang.py", cwd=tmp_path)
    assert proc.returncode == 4
    assert "timed out" in proc.stdout


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            state = fh.read().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")


def test_timeout_kills_the_whole_process_group(tmp_path):
    pidfile = tmp_path / "child.pid"
    write(tmp_path, "tree.py", f"""
        import subprocess, time
        p = subprocess.Popen(["sleep", "1000"])
        with open({str(pidfile)!r}, "w") as fh:
            fh.write(str(p.pid))
        while True:
            time.sleep(0.05)
    """)
    proc, doc = profile_json("tree.py", cwd=tmp_path, extra=("--timeout", "1"))
    assert proc.returncode == 4 and doc["timed_out"] is True
    pid = int(pidfile.read_text())
    deadline = time.time() + 5
    while _alive(pid) and time.time() < deadline:
        time.sleep(0.05)
    try:
        assert not _alive(pid), "the script's `sleep 1000` child survived the timeout"
    finally:
        if _alive(pid):
            os.kill(pid, 9)


def test_leftover_children_of_a_finished_script_are_reaped(tmp_path):
    pidfile = tmp_path / "child.pid"
    write(tmp_path, "leave.py", f"""
        import subprocess
        p = subprocess.Popen(["sleep", "1000"])
        open({str(pidfile)!r}, "w").write(str(p.pid))
    """)
    proc, doc = profile_json("leave.py", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    pid = int(pidfile.read_text())
    deadline = time.time() + 5
    while _alive(pid) and time.time() < deadline:
        time.sleep(0.05)
    try:
        assert not _alive(pid)
    finally:
        if _alive(pid):
            os.kill(pid, 9)


def test_script_reading_stdin_sees_eof(tmp_path):
    write(tmp_path, "ask.py", "name = input('name? ')\nprint('hello', name)\n")
    proc, doc = profile_json("ask.py", cwd=tmp_path)
    assert proc.returncode == 3
    assert doc["exception"].startswith("EOFError")
    assert any("standard input" in n for n in doc["notes"])
    text = optadvise("profile", "ask.py", cwd=tmp_path)
    assert text.returncode == 3 and "standard input" in text.stdout


def test_sys_stdin_read_gets_empty_string(tmp_path):
    write(tmp_path, "cat.py", "import sys\ndata = sys.stdin.read()\nprint('read', len(data))\n")
    proc, doc = profile_json("cat.py", cwd=tmp_path)
    assert proc.returncode == 0 and "read 0" in proc.stderr
