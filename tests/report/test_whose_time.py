"""Whose time: the script's own functions lead the hot table; library time is folded per package."""

from __future__ import annotations

import os
import sysconfig

import pytest

from optadvise.model import FunctionStat, Profile
from optadvise.report.frames import BUILTINS, IMPORT, STDLIB, hot_rows, package_of, rel_path
from tests.helpers import optadvise, write

STDLIB_DIR = sysconfig.get_path("stdlib")
SITE = sysconfig.get_path("purelib")


def fn(name: str, filename: str, own: float, cum: float, user: bool = False) -> FunctionStat:
    return FunctionStat(name, filename, 1 if filename else 0, 1, own, cum, cum / 10, user)


def test_packages_of_frames():
    assert package_of(fn("<built-in method numpy.core._multiarray_umath.dot>", "", 1, 1)) == "numpy"
    assert package_of(fn("<method 'reduce' of 'numpy.ufunc' objects>", "", 1, 1)) == "numpy"
    assert package_of(fn("<method 'append' of 'list' objects>", "", 1, 1)) == BUILTINS
    assert package_of(fn("<method 'acquire' of '_thread.lock' objects>", "", 1, 1)) == STDLIB
    assert package_of(fn("<built-in method time.sleep>", "", 1, 1)) == STDLIB
    assert package_of(fn("_find_and_load", "<frozen importlib._bootstrap>", 1, 1)) == IMPORT
    assert package_of(fn("solve", os.path.join(SITE, "scipy", "linalg", "_basic.py"), 1, 1)) == "scipy"
    assert package_of(fn("run_path", os.path.join(STDLIB_DIR, "runpy.py"), 1, 1)) == STDLIB
    assert package_of(fn("work", "/x/s.py", 1, 1, user=True)) is None
    assert package_of(fn("helper", os.path.abspath("helpers_mod.py"), 1, 1)) is None  # the user's other modules


def test_own_functions_lead_and_wrappers_never_do():
    p = Profile("/x/s.py", [], "/x", wall_s=10.0, functions=[
        fn("<built-in method builtins.exec>", "", 0.01, 10.0),
        fn("_find_and_load", "<frozen importlib._bootstrap>", 0.5, 1.5),
        fn("<module>", "/x/s.py", 0.1, 9.9, user=True),
        fn("_wrapreduction", os.path.join(SITE, "numpy", "core", "fromnumeric.py"), 0.4, 2.0),
        fn("<method 'reduce' of 'numpy.ufunc' objects>", "", 1.6, 1.6),
        fn("work", "/x/s.py", 6.0, 8.0, user=True),
    ])
    rows = hot_rows(p)
    names = [r.name for r in rows]
    assert names[:2] == ["<module>", "work"]
    assert "<built-in method builtins.exec>" not in names
    numpy = next(r for r in rows if r.name == "numpy")
    assert numpy.own_s == pytest.approx(2.0) and numpy.cum_s is None and "2 functions" in numpy.where
    assert names.index("numpy") < names.index(IMPORT)
    assert all(r.own for r in rows[:2]) and not any(r.own for r in rows[2:])


def test_paths_relative_to_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert rel_path(str(tmp_path / "sub" / "a.py")) == os.path.join("sub", "a.py")
    assert rel_path("/elsewhere/b.py") == "/elsewhere/b.py"


@pytest.mark.slow
def test_profile_lists_own_functions_first_and_all_frames_shows_everything(tmp_path):
    write(tmp_path, "helpers_mod.py", """\
        def busy(n):
            t = 0
            for i in range(n):
                t += i * i
            return t
        """)
    write(tmp_path, "main.py", """\
        import numpy as np
        from helpers_mod import busy

        def work():
            a = np.random.default_rng(0).standard_normal((400, 400))
            for _ in range(20):
                a = np.tanh(a @ a.T / 400)
            return busy(2_000_000) + float(a.sum())

        print(work())
        """)
    proc = optadvise("profile", "main.py", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    table = proc.stdout.split("Hot functions", 1)[1].split("\n\n", 1)[0]
    first = names_in(table)
    assert set(first[:3]) == {"<module>", "work", "busy"}, first  # the user's own code, the other module too
    assert not ({"<module>", "work", "busy"} & set(first[3:])), first
    assert "builtins.exec" not in table and "helpers_mod.py:1" in table and str(tmp_path) not in table
    every = optadvise("profile", "--all-frames", "main.py", cwd=tmp_path)
    unfolded = names_in(every.stdout.split("Hot functions", 1)[1].split("\n\n", 1)[0])
    assert {"<module>", "work", "busy"} <= set(unfolded)
    assert not {STDLIB, BUILTINS, IMPORT, "numpy"} & set(unfolded), unfolded  # frames by their own names


def names_in(table: str) -> list[str]:
    """The function column of a rendered hot-function table."""
    return [r.split("│")[1].strip() for r in table.splitlines() if r.startswith("│") and r.split("│")[1].strip()]
