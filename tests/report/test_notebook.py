"""The IPython extension in a real IPython shell: `%optadvise SCRIPT` and the `%%optadvise` cell magic."""

from __future__ import annotations

import pytest

pytest.importorskip("IPython", reason="the notebook extra (pip install -e '.[notebook]') is not installed")

from IPython.core.interactiveshell import InteractiveShell  # noqa: E402
from IPython.utils.capture import capture_output  # noqa: E402

from optadvise.model import ProfileRun  # noqa: E402
from optadvise.notebook import unseen_names  # noqa: E402
from tests.helpers import write  # noqa: E402

CELL = """\
def work(n):
    t = 0
    for i in range(n):
        t += i * i
    return t

print("total", work(400_000))
"""


@pytest.fixture(scope="module")
def shell() -> InteractiveShell:
    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "optadvise")
    return ip


def test_unseen_names_are_those_read_but_not_defined_or_imported():
    cell = """\
import numpy as np
from os import path as p
def f(a, *rest, k=1):
    return a + k + len(rest) + scale
for i in range(3):
    total = f(i) + offset
try:
    pass
except ValueError as err:
    print(err, p, np)
print([x for x in data], total)
"""
    assert unseen_names(cell) == ["scale", "offset", "data"]


@pytest.mark.slow
def test_cell_magic_profiles_the_cell_in_a_child_and_shows_text(shell, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with capture_output() as out:
        shell.run_cell_magic("optadvise", "--text", CELL)
    assert "total 21333253333400000" in out.stdout  # the cell's own output
    assert "Hot functions" in out.stdout and "work" in out.stdout
    assert "cannot see" not in out.stderr
    run = shell.user_ns["_optadvise"]
    assert isinstance(run, ProfileRun) and any(f.name == "work" and f.user for f in run.profile.functions)
    assert list(tmp_path.iterdir()) == []  # the temporary script is gone


@pytest.mark.slow
def test_cell_magic_says_which_notebook_names_it_cannot_see(shell, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shell.user_ns["weights"] = [1, 2, 3]
    with capture_output() as out:
        shell.run_cell_magic("optadvise", "--text", "print(sum(weights))\n")
    assert "cannot see these names from the notebook" in out.stderr and "weights" in out.stderr
    assert "NameError" in out.stdout + out.stderr  # the child really could not see it


@pytest.mark.slow
def test_line_magic_renders_html_for_a_notebook(shell, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "s.py", CELL)
    with capture_output() as out:
        shell.run_line_magic("optadvise", "--html s.py")
    html = out.outputs[0].data["text/html"]
    assert 'id="findings"' in html and 'id="hot"' in html and "work" in html


@pytest.mark.slow
def test_line_magic_bad_input_is_one_line(shell, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with capture_output() as out:
        shell.run_line_magic("optadvise", "missing.py")
    assert out.stderr.startswith("optadvise: error:") and out.stderr.count("\n") == 1
