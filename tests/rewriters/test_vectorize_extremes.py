"""vectorize on running minima/maxima kept in array elements across an inner loop (`loops/extremes`)
and on temporaries introduced inside an `if` branch: rewritten into code that gives the loop's results
(NaNs included), or declined."""

from __future__ import annotations

import numpy as np
import pytest

from optadvise.rewriters.base import Decline
from tests.rewriters.test_vectorize import check_equivalent, propose

R = np.random.default_rng(9)


def with_nans(*shape: int) -> np.ndarray:
    a = R.standard_normal(shape)
    a[R.random(shape) < 0.2] = np.nan
    return a


# name: (source, args factory, a line the rewrite must contain)
REWRITE: dict[str, tuple[str, object, str]] = {
    "nearest_neighbour_distance_skipping_itself": ("""
import math
import numpy as np
def f(P):
    n = P.shape[0]
    best = np.full(n, np.inf)
    for i in range(n):  # <-
        for j in range(n):
            if i != j:
                d = math.hypot(P[i, 0] - P[j, 0], P[i, 1] - P[j, 1])
                if d < best[i]:
                    best[i] = d
    return best
""", lambda: (R.random((7, 2)),), "np.fmin.reduce(np.where(_mask, d, np.nan), axis=-1)"),
    "column_maxima_with_nans_and_a_nan_start": ("""
import numpy as np
def f(A, top):
    n, p = A.shape
    for j in range(p):  # <-
        for i in range(n):
            top[j] = max(top[j], A[i, j])
    return top
""", lambda: (with_nans(6, 5), np.array([np.nan, 0.0, -np.inf, 1.0, np.nan])), "np.fmax.reduce("),
    "branch_temporary_summed_under_its_mask": ("""
import numpy as np
def f(a):
    s = 0.0
    for i in range(a.shape[0]):  # <-
        if a[i] > 0:
            t = a[i] * 2.0
            s += t
    return s
""", lambda: (R.standard_normal(9),), "np.sum(np.where(_mask, t, 0))"),
}

DECLINE: dict[str, tuple[str, object, str]] = {
    "running_min_of_values_that_read_the_element": ("""
import numpy as np
def f(A, best):
    n, p = A.shape
    for i in range(n):  # <-
        for j in range(p):
            if A[i, j] + best[i] * 0.5 < best[i]:
                best[i] = A[i, j] + best[i] * 0.5
    return best
""", lambda: (R.random((4, 3)), R.random(4)), "read while it keeps a running min"),
    "running_min_into_an_integer_array": ("""
import numpy as np
def f(A, low):
    n, p = A.shape
    for i in range(n):  # <-
        for j in range(p):
            low[i] = min(low[i], A[i, j])
    return low
""", lambda: (R.integers(-9, 9, (4, 3)), np.full(4, 100)), "not floats"),
    "temporary_of_a_branch_read_after_it": ("""
import numpy as np
def f(a):
    out = np.zeros_like(a)
    for i in range(a.shape[0]):  # <-
        if a[i] > 0:
            t = a[i] * 2.0
        out[i] = t
    return out
""", lambda: (R.standard_normal(5),), "only on some branches"),
    "temporaries_of_a_branch_read_after_it": ("""
import numpy as np
def f(a):
    out = np.zeros_like(a)
    for i in range(a.shape[0]):  # <-
        if a[i] > 0:
            t = a[i] * 2.0
            out[i] = t + 1.0
        out[i] += t
    return out
""", lambda: (R.standard_normal(5),), "read before it is assigned"),
}


@pytest.mark.parametrize("name", sorted(REWRITE))
def test_running_extremes_are_rewritten(name: str) -> None:
    src, make_args, expect = REWRITE[name]
    c = check_equivalent(src, make_args)
    assert expect in c.new, c.new


@pytest.mark.parametrize("name", sorted(DECLINE))
def test_unsafe_running_extremes_are_declined(name: str) -> None:
    src, make_args, reason = DECLINE[name]
    with pytest.raises(Decline, match=reason or None):
        propose(src, make_args())  # type: ignore[operator]
