"""vectorize inside a loop that carries a dependence (partial vectorisation): the outer loop stays and
the nest inside it becomes whole-array statements when the elements it writes provably differ from
the fixed ones it reads (LU's pivot row and column against the rows and columns below them). Each
table case is rewritten into code that gives the loop's results, or declined."""

from __future__ import annotations

import numpy as np
import pytest

from optadvise.rewriters.base import Decline
from tests.rewriters.test_vectorize import check_equivalent, propose

R = np.random.default_rng(5)


def dominant(n: int = 6) -> np.ndarray:
    return R.random((n, n)) + n * np.eye(n)


LU = """
import numpy as np
def f(a):
    n = a.shape[0]
    for k in range(n):  # <-
        for i in range(k + 1, n):
            a[i, k] = a[i, k] / a[k, k]
            for j in range(k + 1, n):
                a[i, j] = a[i, j] - a[i, k] * a[k, j]
    return a
"""

FW = """
import numpy as np
def f(dist):
    n = dist.shape[0]
    for k in range(n):  # <-
        for i in range(n):
            for j in range(n):
                if dist[i, k] + dist[k, j] < dist[i, j]:
                    dist[i, j] = dist[i, k] + dist[k, j]
    return dist
"""
FW_MIN = """
import numpy as np
def f(dist):
    n = dist.shape[0]
    for k in range(n):  # <-
        for i in range(n):
            for j in range(n):
                dist[i, j] = min(dist[i, j], dist[i, k] + dist[k, j])
    return dist
"""


def graph(n: int = 7, negative: bool = False) -> np.ndarray:
    """Random weights, some edges missing (inf), zero diagonal; with `negative` a negative cycle."""
    w = R.uniform(1.0, 9.0, (n, n))
    w[R.random((n, n)) > 0.4] = np.inf
    np.fill_diagonal(w, 0.0)
    if negative:
        w[1, 2], w[2, 1] = -5.0, 1.0
    return w


# name: (source, args factory, text the rewrite contains)
REWRITE: dict[str, tuple[str, object, str]] = {
    "lu_without_pivoting": (LU, lambda: (dominant(),),
                            "        a[k + 1:n, k] = a[k + 1:n, k] / a[k, k]\n"
                            "        a[k + 1:n, k + 1:n] = a[k + 1:n, k + 1:n] - a[k + 1:n, k, None] * a[k, k + 1:n]\n"),
    "lu_with_augmented_updates": ("""
import numpy as np
def f(a):
    n = a.shape[0]
    for k in range(n - 1):  # <-
        for i in range(k + 1, n):
            a[i, k] /= a[k, k]
            for j in range(k + 1, n):
                a[i, j] -= a[i, k] * a[k, j]
    return a
""", lambda: (dominant(),), "a[k + 1:n, k] /= a[k, k]"),
    "rows_below_a_fixed_literal_row": ("""
import numpy as np
def f(a):
    n, p = a.shape
    for i in range(1, n):  # <-
        for j in range(p):
            a[i, j] = a[i, j] - 0.5 * a[0, j]
    return a
""", lambda: (R.random((4, 5)),), "a[1:n, :] = a[1:n, :] - 0.5 * a[0, :]"),
    "fission_would_read_a_row_before_its_earlier_iteration_rewrote_it": ("""
import numpy as np
def f(a, c):
    n, p = a.shape
    for i in range(1, n):  # <-
        c[i] = a[i - 1, 0]
        for j in range(p):
            a[i, j] = a[i, j] * 2.0
    return a, c
""", lambda: (R.random((4, 3)), np.zeros(4)), "    for i in range(1, n):  # <-\n        c[i] = a[i - 1, 0]\n"),
    "columns_from_the_pivot_column_itself_is_checked_at_run_time": ("""
import numpy as np
def f(a):
    n = a.shape[0]
    for k in range(n):  # <-
        for i in range(k + 1, n):
            for j in range(k, n):
                a[i, j] = a[i, j] - a[i, k] * a[k, j]
    return a
""", lambda: (dominant(),), "np.array_equal("),
    "rows_from_the_pivot_row_itself_is_checked_at_run_time": ("""
import numpy as np
def f(a):
    n = a.shape[0]
    for k in range(n):  # <-
        for i in range(k, n):
            for j in range(k + 1, n):
                a[i, j] = a[i, j] - a[i, k] * a[k, j]
    return a
""", lambda: (dominant(),), "np.array_equal("),
    "floyd_warshall_relaxation": (FW, lambda: (graph(),), "np.array_equal(_new[:, k], dist[:n, k])"),
    "floyd_warshall_with_min": (FW_MIN, lambda: (graph(),), "np.array_equal("),
    "negative_cycle_takes_the_original_loop": (FW, lambda: (graph(negative=True),), "np.array_equal("),
}

DECLINE: dict[str, tuple[str, object, str]] = {
    "fixed_index_below_zero_wraps_to_the_last_element": ("""
import numpy as np
def f(a):
    n = a.shape[0]
    for k in range(n):  # <-
        for i in range(k, n):
            a[i] = a[k - 1] * 0.5 + a[i]
    return a
""", lambda: (R.random(6),), ""),
    "negative_literal_row_is_the_last_row": ("""
import numpy as np
def f(a):
    n, p = a.shape
    for i in range(1, n):  # <-
        for j in range(p):
            a[i, j] = a[i, j] - a[-1, j]
    return a
""", lambda: (R.random((4, 3)),), ""),
}


DECLINE.update({
    "pivot_column_before_the_loop_index_may_wrap": (FW.replace("dist[i, k] +", "dist[i, k - 1] +"),
                                                    lambda: (graph(),), "negative"),
    "pivot_write_not_the_last_statement": (FW.replace("return dist", "return dist, seen").replace(
        "    for k in range(n):  # <-\n", "    seen = np.zeros((n, n))\n    for k in range(n):  # <-\n").replace(
        "dist[i, j] = dist[i, k] + dist[k, j]\n", "dist[i, j] = dist[i, k] + dist[k, j]\n                seen[i, j] = 1.0\n"),
        lambda: (graph(),), ""),
    "pivot_read_shifted_by_one_row": (FW.replace("if dist[i, k] +", "if dist[i - 1, k] +"),
                                      lambda: (graph(),), ""),
})


@pytest.mark.parametrize("name", sorted(REWRITE))
def test_nests_inside_a_carried_loop_are_rewritten(name: str) -> None:
    src, make_args, expect = REWRITE[name]
    c = check_equivalent(src, make_args)
    assert expect in c.new, c.new


@pytest.mark.parametrize("name", sorted(DECLINE))
def test_nests_that_read_what_they_write_are_declined(name: str) -> None:
    src, make_args, reason = DECLINE[name]
    with pytest.raises(Decline, match=reason or None):
        propose(src, make_args())  # type: ignore[operator]
