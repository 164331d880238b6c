"""Diffs and patches: `fix --diff` prints only a patch that git apply and patch -p1 accept; lines are never cut."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from optadvise.model import Attempt, Candidate, Finding, FixReport, FunctionStat, LineStat, Profile, ProfileRun, Verdict
from optadvise.report.diff import NO_NEWLINE, unified_diff
from optadvise.report.fix_text import render_fix_text
from optadvise.report.profile_text import render_profile_text
from optadvise.report.terminal import PLAIN, Terminal
from tests.helpers import optadvise, write

LONG = "# " + "a long comment that a narrow terminal would cut " * 6
SLOW = f'''\
import numpy as np


def scale(signal, gain):
    out = np.empty_like(signal)
    for i in range(len(signal)):
        out[i] = gain * signal[i] + 1.0  {LONG}
    return out


x = np.linspace(0.0, 1.0, 300_000)
print(f"{{scale(x, 2.0).sum():.6e}}")'''  # no newline at the end of the file


def git(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)


def repo_with(tmp_path: Path, name: str, source: str) -> Path:
    write(tmp_path, name, source)
    for args in (("init", "-q"), ("add", name), ("-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "x")):
        assert git(*args, cwd=tmp_path).returncode == 0
    return tmp_path / name


def assert_applies(patch: str, repo: Path) -> None:
    (repo / "change.patch").write_text(patch)
    check = git("apply", "--check", "change.patch", cwd=repo)
    assert check.returncode == 0, check.stderr
    if shutil.which("patch"):
        dry = subprocess.run(["patch", "-p1", "--dry-run", "-i", "change.patch"], cwd=repo, capture_output=True,
                             text=True)
        assert dry.returncode == 0, dry.stdout + dry.stderr


def test_diff_of_a_file_without_final_newline_and_long_lines_applies(tmp_path):
    before = f"x = 1\n{LONG}\ny = 2"
    after = f"x = 1\n{LONG}\ny = 3"
    repo_with(tmp_path, "m.py", before)
    patch = unified_diff(before, after, "m.py")
    assert NO_NEWLINE in patch and LONG in patch
    assert_applies(patch, tmp_path)


def test_form_feed_stays_inside_its_line(tmp_path):
    before = "a = 1\x0c  # page\nb = 2\n"
    after = "a = 1\x0c  # page\nb = 3\n"
    repo_with(tmp_path, "m.py", before)
    assert_applies(unified_diff(before, after, "m.py"), tmp_path)


def _report(diff_line: str) -> FixReport:
    finding = Finding("loop-over-ndarray", "OA101", "s.py", 1, 1, "f", "slow")
    cand = Candidate("loop-over-ndarray", "vectorize", "f", "s.py", 1, "vectorised", "a\n", "b\n")
    verdict = Verdict(cand, True, "ok", speedup=3.0, t_original_s=0.3, t_candidate_s=0.1, checks=["outputs"])
    diff = f"--- a/s.py\n+++ b/s.py\n@@ -1 +1 @@\n-a\n+{diff_line}\n"
    return FixReport("s.py", [], "a\n", f"{diff_line}\n", [finding],
                     attempts=[Attempt(finding, "vectorize", verdict, diff=diff, applied=True)])


@pytest.mark.parametrize("term", [Terminal(width=80), Terminal(width=40, color=True), PLAIN])
def test_fix_text_never_cuts_a_diff_line(term):
    text = render_fix_text(_report("b = 1  " + LONG), term)
    assert "+b = 1  " + LONG in text


@pytest.mark.parametrize("term", [Terminal(width=80), PLAIN])
def test_profile_heat_listing_never_cuts_source(term):
    source = f"def f():\n    y = 1  {LONG}\n    return y\n\nf()\n"
    fn = FunctionStat("f", "/x/s.py", 1, 1, 1.0, 1.0, 1.0, True, lines=[LineStat(2, 10, 1.0, 1.0)])
    run = ProfileRun(Profile("/x/s.py", [], "/x", returncode=0, wall_s=1.0, functions=[fn]), [], source, 0)
    text = render_profile_text(run, term)
    assert "…" not in text
    if term is PLAIN:  # a file or pipe: every line whole
        assert f"    y = 1  {LONG}" in text
    else:  # a narrow terminal folds the line: every character is still there
        assert "".join(text.split()).count("".join(LONG.split())) == 1


@pytest.mark.slow
def test_fix_diff_prints_only_a_patch_git_apply_accepts(tmp_path):
    script = repo_with(tmp_path, "slow.py", SLOW)
    before = subprocess.run([sys.executable, "slow.py"], cwd=tmp_path, capture_output=True, text=True).stdout
    proc = optadvise("fix", "--diff", "--html", "fix.html", "slow.py", cwd=tmp_path, timeout=300)
    assert proc.returncode == 1, proc.stderr  # as ruff --diff: 1 when there is a change
    page = (tmp_path / "fix.html").read_text()
    assert 'id="icicle"' in page and 'id="rewrites"' in page and "before " in page and "x</b> faster" in page
    (tmp_path / "fix.html").unlink()
    assert proc.stdout.startswith("--- a/slow.py\n+++ b/slow.py\n@@"), proc.stdout
    assert LONG in proc.stdout  # the context line, whole
    assert_applies(proc.stdout, tmp_path)
    assert script.read_text() == SLOW  # --diff writes nothing
    assert git("apply", "change.patch", cwd=tmp_path).returncode == 0
    assert script.read_text() != SLOW
    after = subprocess.run([sys.executable, "slow.py"], cwd=tmp_path, capture_output=True, text=True).stdout
    assert after == before


@pytest.mark.slow
def test_fix_diff_with_nothing_to_change_prints_nothing_and_exits_0(tmp_path):
    write(tmp_path, "fast.py", "import numpy as np\nprint(np.arange(10).sum())\n")
    proc = optadvise("fix", "--diff", "fast.py", cwd=tmp_path)
    assert (proc.returncode, proc.stdout) == (0, ""), proc.stderr


def test_fix_diff_refuses_apply(tmp_path):
    write(tmp_path, "fast.py", "print(1)\n")
    proc = optadvise("fix", "--diff", "--apply", "fast.py", cwd=tmp_path)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith("optadvise: error: --diff")
