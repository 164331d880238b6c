"""The Python API returns the records the CLI renders."""

from __future__ import annotations

import subprocess
import sys

import pytest

import optadvise
from optadvise.errors import OptadviseError
from optadvise.model import CheckResult, FixReport, ProfileRun
from tests.helpers import write

LOOP = """\
import numpy as np

def scale(signal, gain):
    out = np.empty_like(signal)
    for i in range(len(signal)):
        out[i] = gain * signal[i] + 1.0
    return out

x = np.linspace(0.0, 1.0, 200_000)
print(scale(x, 2.0).sum())
"""


def test_check_returns_a_check_result(tmp_path):
    write(tmp_path, "loop.py", LOOP)
    result = optadvise.check([str(tmp_path)])
    assert isinstance(result, CheckResult) and result.files == 1
    assert [f.rule for f in result.findings] == ["loop-over-ndarray"] and result.exit_code() == 1


def test_the_command_line_does_not_load_the_api():
    code = "import sys, optadvise.cli; print('optadvise.api' in sys.modules, 'optadvise.verify' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError):
        optadvise.no_such_thing  # noqa: B018


@pytest.mark.slow
def test_profile_returns_the_run_with_its_findings(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "loop.py", LOOP)
    run = optadvise.profile("loop.py", timeout=120)
    assert isinstance(run, ProfileRun) and run.exit_code == 0
    assert run.stdout.strip() and any(f.name == "scale" for f in run.profile.functions)
    assert "loop-over-ndarray" in [f.rule for f in run.findings]
    with pytest.raises(OptadviseError):
        optadvise.profile("missing.py")


@pytest.mark.slow
def test_fix_returns_a_report_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "fast.py", "import numpy as np\nprint(np.arange(10).sum())\n")
    report = optadvise.fix("fast.py")
    assert isinstance(report, FixReport) and report.final == report.original and report.exit_code == 1
    assert report.run is not None and report.run.profile.returncode == 0
