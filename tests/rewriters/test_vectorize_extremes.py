"""vectorize on running minima/maxima kept in array elements across an inner loop, argmin/argmax inner
loops (`loops/extremes`), and on temporaries introduced inside an `if` branch: rewritten into code that gives the loop's results
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
    "nearest_centre_labels_ties_and_nans": ("""
import numpy as np
def f(X, C):
    n = X.shape[0]
    k = C.shape[0]
    labels = np.full(n, -1)
    for i in range(n):  # <-
        best = np.inf
        for c in range(k):
            d = (X[i, 0] - C[c, 0]) ** 2 + (X[i, 1] - C[c, 1]) ** 2
            if d < best:
                best = d
                labels[i] = c
    return labels
""", lambda: (np.array([[0.0, 0.0], [1.0, 1.0], [np.nan, 0.0], [2.0, 0.0]]),
              np.array([[1.0, 0.0], [0.0, 1.0], [np.nan, 1.0], [3.0, 0.0]])), "np.argmin(np.where(np.isnan(d), np.inf, d), axis=-1)"),
    "farthest_point_by_name_then_stored": ("""
import numpy as np
def f(P, q):
    n = P.shape[0]
    far = np.zeros(q.shape[0])
    which = np.zeros(q.shape[0], dtype=np.int64)
    for i in range(q.shape[0]):  # <-
        top = -1.0
        at = 0
        for j in range(1, n):
            if abs(P[j] - q[i]) > top:
                top = abs(P[j] - q[i])
                at = j
        far[i] = top
        which[i] = at
    return far, which
""", lambda: (R.standard_normal(7), R.standard_normal(4)), "np.argmax("),
}

DECLINE: dict[str, tuple[str, object, str]] = {
    "best_kept_with_a_non_strict_comparison": ("""
import numpy as np
def f(X, C):
    n, k = X.shape[0], C.shape[0]
    labels = np.zeros(n, dtype=np.int64)
    for i in range(n):  # <-
        best = np.inf
        for c in range(k):
            d = abs(X[i] - C[c])
            if d <= best:
                best = d
                labels[i] = c
    return labels
""", lambda: (R.standard_normal(5), R.standard_normal(3)), "inner sequential loop"),
    "chosen_name_not_set_before": ("""
import numpy as np
def f(X, C):
    n, k = X.shape[0], C.shape[0]
    labels = np.zeros(n, dtype=np.int64)
    for i in range(n):  # <-
        best = np.inf
        for c in range(k):
            d = abs(X[i] - C[c])
            if d < best:
                best = d
                pick = c
        labels[i] = pick
    return labels
""", lambda: (R.standard_normal(5), R.standard_normal(3)), "not set before"),
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
