"""`--html FILE`: one self-contained offline page, loaded in a real headless Chromium."""

from __future__ import annotations

import re

import pytest

from optadvise.model import Profile, StackSample
from optadvise.report.html import call_tree, render_fix_html
from tests.helpers import optadvise, write
from tests.report.browser import load
from tests.report.test_patch import _report

LOOP = """\
    import numpy as np

    def scale(signal, gain):
        out = np.empty_like(signal)
        for i in range(len(signal)):
            out[i] = gain * signal[i] + 1.0
        return out

    x = np.linspace(0.0, 1.0, 400_000)
    print(scale(x, 2.0).sum())
    """


def assert_offline(page: str) -> None:
    """Nothing is fetched: no external scripts, styles, images or fonts."""
    assert not re.search(r"<link|\bsrc=|url\(|@import", page)
    assert "<style>" in page


def test_the_browser_check_catches_a_script_error(tmp_path):
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><html><body><p>ok</p><script>undefinedFunction()</script></body></html>")
    _dom, console = load(page)
    assert any("undefinedFunction" in line for line in console)


@pytest.mark.slow
def test_profile_html_loads_cleanly_and_shows_the_findings(tmp_path):
    write(tmp_path, "loop.py", LOOP)
    proc = optadvise("profile", "--html", "report.html", "loop.py", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    page = tmp_path / "report.html"
    assert_offline(page.read_text())
    dom, console = load(page)
    assert console == []
    for section in ("summary", "icicle", "hot", "heat", "findings"):
        assert f'id="{section}"' in dom
    assert 'data-rule="loop-over-ndarray"' in dom and "OA101" in dom
    assert re.search(r'<article class="finding [a-z]+" data-rule="loop-over-ndarray">.*?<dl>', dom, re.S)
    assert "out[i] = gain * signal[i] + 1.0" in dom  # the line heat
    assert "<svg" in dom and "<rect" in dom


def test_fix_html_shows_the_verified_diff_with_timings(tmp_path):
    page = tmp_path / "fix.html"
    page.write_text(render_fix_html(_report("b = vectorised(a)  # <script>alert(1)</script>")))
    assert_offline(page.read_text())
    dom, console = load(page)
    assert console == []
    assert "before 0.300 s, after 0.100 s" in dom and "3.00x" in dom
    assert "+b = vectorised(a)  # &lt;script&gt;alert(1)&lt;/script&gt;" in dom  # escaped, never run
    assert 'data-rule="loop-over-ndarray"' in dom


def test_icicle_merges_stacks_by_prefix_and_splits_threads():
    stacks = [StackSample(["<module> (/x/s.py:1)", "work (/x/s.py:4)"], "MainThread", 1.0),
              StackSample(["<module> (/x/s.py:1)", "work (/x/s.py:4)"], "MainThread", 2.0),
              StackSample(["run (/usr/lib/threading.py:9)"], "T1", 1.0)]
    root, _ = call_tree(Profile("/x/s.py", [], "/x", stacks=stacks))
    assert root.weight == 4.0 and set(root.children) == {"thread MainThread", "thread T1"}
    work = root.children["thread MainThread"].children["<module> (/x/s.py:1)"].children["work (/x/s.py:4)"]
    assert work.weight == 3.0
