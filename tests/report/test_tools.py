"""Helper executables are found beside the running interpreter before PATH."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from optadvise.tools import find_tool, tool_dirs
from tests.helpers import write

SCRIPTS = Path(sysconfig.get_path("scripts"))


def test_a_tool_beside_the_interpreter_is_found_with_an_empty_path(monkeypatch):
    monkeypatch.setenv("PATH", "")
    if not (SCRIPTS / "py-spy").exists():
        pytest.skip("py-spy is not installed beside this interpreter")
    assert find_tool("py-spy") == str(SCRIPTS / "py-spy")
    assert str(SCRIPTS) == tool_dirs()[0]


def test_beside_the_interpreter_comes_before_path(tmp_path, monkeypatch):
    impostor = tmp_path / "pytest"
    impostor.write_text("#!/bin/sh\nexit 1\n")
    impostor.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    if not (SCRIPTS / "pytest").exists():
        pytest.skip("pytest's script is not beside this interpreter")
    assert find_tool("pytest") == str(SCRIPTS / "pytest")


def test_path_is_still_searched_and_absence_is_none(tmp_path, monkeypatch):
    tool = tmp_path / "optadvise-test-tool"
    tool.write_text("#!/bin/sh\n")
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_tool("optadvise-test-tool") == str(tool)
    assert find_tool("optadvise-no-such-tool") is None


@pytest.mark.slow
def test_console_script_run_without_the_environment_on_path_finds_py_spy(tmp_path):
    console = SCRIPTS / "optadvise"
    if not console.exists() or not (SCRIPTS / "py-spy").exists():
        pytest.skip("optadvise and py-spy are not installed as scripts beside this interpreter")
    write(tmp_path, "threads.py", """\
        import threading

        def spin(n):
            t = 0
            for i in range(n):
                t += i
            return t

        workers = [threading.Thread(target=spin, args=(1_500_000,)) for _ in range(2)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        """)
    env = {**os.environ, "PATH": "/usr/bin:/bin"}
    assert str(SCRIPTS) not in env["PATH"] and os.path.dirname(sys.executable) not in env["PATH"].split(":")
    proc = subprocess.run([str(console), "profile", "--format", "json", "threads.py"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL)
    doc = json.loads(proc.stdout)
    assert not any("py-spy is not installed" in note for note in doc["notes"]), doc["notes"]
