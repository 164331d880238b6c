"""vectorize on Python lists of floats: converted once at the nest's boundary (`loops/lists`), the
results the script keeps as lists converted back with `.tolist()`, Python floats kept Python floats;
int, ragged, mixed, mutated, aliased or later-grown lists decline."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from optadvise.model import Candidate, Profile
from optadvise.profiling.probes import describe
from optadvise.rewriters.base import Decline
from optadvise.rewriters.vectorize import Vectorize
from tests.rewriters.test_vectorize import finding, run, same

R = np.random.default_rng(7)


def floats(*shape: int) -> list:
    return R.standard_normal(shape).tolist()


def propose(src: str, args: tuple) -> list[Candidate]:
    """Propose with the facts the profiler's scanner records of these arguments (real `describe`)."""
    ns: dict[str, object] = {}
    exec(compile(src, "<case>", "exec"), ns)
    names = list(inspect.signature(ns["f"]).parameters)  # type: ignore[arg-type]
    seen = [describe(v, np, k, "f", "s.py", True) for k, v in zip(names, args)]
    return Vectorize().propose(src, finding(src, "f"), Profile(script="s.py", argv=[], cwd=".",
                                                                arrays=[a for a in seen if a is not None]))


MATMUL = """
def f(X, Y):
    Z = [[0.0] * len(Y[0]) for _ in range(len(X))]
    for i in range(len(X)):  # <-
        for j in range(len(Y[0])):
            s = 0.0
            for p in range(len(Y)):
                s += X[i][p] * Y[p][j]
            Z[i][j] = s
    return Z
"""
SUMSQ = """
def f(xs):
    s = 0.0
    for x in xs:  # <-
        s += x * x
    return s
"""
AFFINE = """
def f(a, b):
    out = [0.0] * len(a)
    for i in range(len(a)):  # <-
        out[i] = 2.0 * a[i] - b[i] + 1
    return out
"""

GENEXPR_SUMSQ = """
def f(xs):
    s = sum(x * x for x in xs)  # <-
    return s
"""
ZIP_LISTCOMP = """
def f(a, b):
    out = [p * 0.5 + q for p, q in zip(a, b)]  # <-
    return out
"""

REWRITTEN = {
    "genexpr_sum_of_squares": (GENEXPR_SUMSQ, lambda: (floats(2500),)),
    "zip_list_comprehension": (ZIP_LISTCOMP, lambda: (floats(1200), floats(1300))),
    "matmul": (MATMUL, lambda: (floats(40, 35), floats(35, 30))),
    "sum_of_squares": (SUMSQ, lambda: (floats(2000),)),
    "affine_map": (AFFINE, lambda: (floats(1500), floats(1500))),
}


@pytest.mark.parametrize("name", sorted(REWRITTEN))
def test_float_lists_are_converted_at_the_boundary(name: str) -> None:
    src, make = REWRITTEN[name]
    args = make()
    [c] = propose(src, args)
    assert "for " not in c.new.split("def f", 1)[1].split("return", 1)[0].replace("for _ in", ""), c.new
    assert ".array(" in c.new, c.new
    r1, _ = run(src, args)
    r2, _ = run(c.new, args)
    # same() also requires the same element types: Python floats, never NumPy scalars
    assert same(r1, r2, c.rtol), f"{r1!r}\n{r2!r}\n{c.new}"


def test_result_list_is_converted_back_and_prints_like_the_loop() -> None:
    args = ([[0.5, 1.25], [2.0, -1.0]] * 300, [[1.0, 0.0] * 250, [0.25, 2.0] * 250])
    [c] = propose(MATMUL, args)
    assert ".tolist()" in c.new
    r1, _ = run(MATMUL, args)
    r2, _ = run(c.new, args)
    assert isinstance(r2, list) and str(r1) == str(r2)


def test_sum_stays_a_python_float() -> None:
    [c] = propose(SUMSQ, (floats(3000),))
    assert "float(" in c.new, c.new
    assert type(run(c.new, (floats(3000),))[0]) is float


DECLINED = {
    # Python ints never overflow, int64 does: not provable from the list's type alone
    "int_sum": (SUMSQ.replace("0.0", "0"), lambda: ([3 * 10**9 + i for i in range(2000)],), "int64"),
    "genexpr_int_sum": (GENEXPR_SUMSQ, lambda: ([2**40 + i for i in range(2000)],), "int64"),
    "genexpr_list_also_outside": ("""
def f(xs):
    s = sum(x * x for x in xs) + xs.pop()  # <-
    return s
""", lambda: (floats(2000),), "outside the comprehension"),
    "ragged": (MATMUL, lambda: (floats(40, 35)[:-1] + [floats(34)], floats(35, 30)), "ragged"),
    "mixed": (SUMSQ, lambda: (floats(1999) + [1],), "mixed"),
    "mutated_in_loop": ("""
def f(a, b):
    for i in range(len(a)):  # <-
        a[i] = a[i] * 2.0 + b[i]
    return a
""", lambda: (floats(1500), floats(1500)), "fresh list"),
    "aliased_output": ("""
def f(a, b):
    out = b
    for i in range(len(a)):  # <-
        out[i] = a[i] * 2.0
    return b
""", lambda: (floats(1500), floats(1500)), "`out`"),
    "shared_rows": ("""
def f(X):
    Z = [[0.0] * len(X[0])] * len(X)
    for i in range(len(X)):  # <-
        for j in range(len(X[0])):
            Z[i][j] = X[i][j] * 2.0
    return Z
""", lambda: (floats(40, 30),), "fresh list"),
    "grown_after": ("""
def f(a):
    out = [0.0] * len(a)
    for i in range(len(a)):  # <-
        out[i] = a[i] * 2.0
    out.append(1.0)
    return out
""", lambda: (floats(1500),), "append"),
    # an int hiding among the floats (the profile samples element types) would stay an int here
    "element_copied": ("""
def f(a, b):
    out = [0.0] * len(a)
    for i in range(len(a)):  # <-
        out[i] = a[i] + b[i]
    return out
""", lambda: (floats(1500), floats(1500)), "non-floats"),
    "listcomp_of_elements": ("""
def f(a, b):
    return [p + q for p, q in zip(a, b)]  # <-
""", lambda: (floats(1500), floats(1500)), "non-floats"),
    "sliced": ("""
def f(X):
    out = [0.0] * len(X)
    for i in range(len(X)):  # <-
        out[i] = sum(X[i][1:3]) * 1.0
    return out
""", lambda: (floats(500, 4),), "sliced"),
    "int_stored": ("""
def f(a):
    out = [0.0] * len(a)
    for i in range(len(a)):  # <-
        out[i] = i * 2
    return out
""", lambda: (floats(1500),), "non-floats"),
    "updated_in_place": ("""
def f(a):
    out = [0.0] * len(a)
    for i in range(len(a)):  # <-
        out[i] += a[i]
    return out
""", lambda: (floats(1500),), "in place"),
}


@pytest.mark.parametrize("name", sorted(DECLINED))
def test_unsafe_list_loops_are_declined(name: str) -> None:
    src, make, reason = DECLINED[name]
    with pytest.raises(Decline, match=reason):
        propose(src, make())


def test_module_list_does_not_stand_for_a_local_array_of_the_same_name() -> None:
    src = """
import numpy as np

def f(xs):
    out = np.zeros(len(xs))
    for i in range(len(xs)):  # <-
        out[i] = xs[i] * 3
    return out
"""
    xs = np.arange(2000)
    seen = [describe([0.5] * 2000, np, "xs", "<module>", "s.py", False), describe(xs, np, "xs", "f", "s.py", True)]
    [c] = Vectorize().propose(src, finding(src, "f"), Profile(script="s.py", argv=[], cwd=".",
                                                               arrays=[a for a in seen if a is not None]))
    assert "dtype=float" not in c.new and "tolist" not in c.new, c.new
    assert same(run(src, (xs,))[0], run(c.new, (xs,))[0], c.rtol)
