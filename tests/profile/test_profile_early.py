"""The harness child a `profile` command line starts before its options are read (`early`)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid

import psutil
import pytest

from optadvise.errors import EXIT_USAGE
from optadvise.profiling.early import EarlyHarness
from tests.helpers import optadvise, profile_json, write

pytestmark = pytest.mark.slow


def _marked(mark: str) -> list[psutil.Process]:
    """Live processes whose environment carries `mark`."""
    found = []
    for proc in psutil.process_iter():
        try:
            if proc.environ().get("OPTADVISE_TEST_MARK") == mark and proc.status() != psutil.STATUS_ZOMBIE:
                found.append(proc)
        except psutil.Error:
            pass
    return found


def _none_left(mark: str, within: float) -> bool:
    end = time.monotonic() + within
    while _marked(mark):
        if time.monotonic() > end:
            return False
        time.sleep(0.05)
    return True


def test_only_a_profile_command_line_starts_one():
    assert EarlyHarness.start(["optadvise", "check", "x.py"]) is None
    assert EarlyHarness.start(["optadvise", "profile"]) is None  # nothing to profile: click says so
    early = EarlyHarness.start(["optadvise", "profile", "x.py"])
    assert early is not None and early.proc.poll() is None  # waiting for its script
    early.discard()
    assert early.proc.returncode == 0  # it read end-of-file and left without a word


def test_it_runs_the_script_with_its_arguments_and_stdin_closed(tmp_path):
    write(tmp_path, "s.py", """
        import sys
        print("args", sys.argv[1:])
        try:
            input()
        except EOFError:
            print("stdin closed")
    """)
    proc, doc = profile_json("s.py", "--flag", "a b", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "args ['--flag', 'a b']" in proc.stderr and "stdin closed" in proc.stderr  # json: output on stderr
    assert doc["returncode"] == 0 and doc["argv"] == ["--flag", "a b"]


@pytest.mark.parametrize("argv", [("missing.py",), ("--timeout", "0", "s.py"), ("--help",)])
def test_a_command_line_that_runs_no_script_leaves_no_harness_behind(tmp_path, argv):
    write(tmp_path, "s.py", "print('never run')\n")
    mark = uuid.uuid4().hex
    out = tmp_path / "out.txt"
    with out.open("w") as fh:  # a file, not a pipe: the exit of optadvise alone is waited for
        code = subprocess.run([sys.executable, "-m", "optadvise", "profile", *argv], cwd=tmp_path,
                              stdin=subprocess.DEVNULL, stdout=fh, stderr=subprocess.STDOUT, timeout=60,
                              env={**os.environ, "OPTADVISE_TEST_MARK": mark}).returncode
    assert not _marked(mark), "a harness child outlived optadvise"
    text = out.read_text()
    assert "never run" not in text and "Traceback" not in text
    assert code == (0 if argv == ("--help",) else EXIT_USAGE), text


def test_a_profile_leaves_no_process_behind(tmp_path):
    write(tmp_path, "s.py", "print(sum(range(1000)))\n")
    mark = uuid.uuid4().hex
    proc = optadvise("profile", "s.py", cwd=tmp_path, env={**os.environ, "OPTADVISE_TEST_MARK": mark})
    assert proc.returncode == 0 and "499500" in proc.stdout, proc.stderr
    assert _none_left(mark, within=3.0)
