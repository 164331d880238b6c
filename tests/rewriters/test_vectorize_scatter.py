"""vectorize on scatter-adds (`loops/scatter`): histograms and group-by sums through subscripts computed
per iteration become `np.add.at`, which adds in the loop's order; the traps decline."""

from __future__ import annotations

import numpy as np
import pytest

from optadvise.rewriters.base import Decline
from tests.rewriters.test_vectorize import check_equivalent, propose

R = np.random.default_rng(5)

# name: (source, args factory, a line the rewrite must contain)
REWRITE: dict[str, tuple[str, object, str]] = {
    "binned_counts_and_sums": ("""
import numpy as np
def f(x, y, lo, hi, nbins):
    counts = np.zeros(nbins, dtype=np.int64)
    sums = np.zeros(nbins)
    scale = nbins / (hi - lo)
    for i in range(x.shape[0]):  # <-
        b = int((x[i] - lo) * scale)
        counts[b] += 1
        sums[b] += y[i]
    return counts, sums
""", lambda: (R.random(50) * 4.0, R.standard_normal(50), 0.0, 4.0, 8), "np.add.at(sums, b, y[:x.shape[0]])"),
    "negative_bins_wrap_like_python": ("""
import numpy as np
def f(x, nbins):
    h = np.zeros(nbins)
    for i in range(x.shape[0]):  # <-
        h[int(x[i])] -= 0.5 * x[i]
    return h
""", lambda: (R.random(40) * 10.0 - 5.0, 6), "np.subtract.at(h, "),
    "counts_kept_in_range_by_a_condition": ("""
import numpy as np
def f(labels, n):
    counts = np.zeros(n, dtype=np.int64)
    for i in range(labels.shape[0]):  # <-
        if labels[i] < n:
            counts[labels[i]] += 1
    return counts
""", lambda: (R.integers(0, 9, 60), 5), "np.add.at(counts, "),
    "two_dimensional_histogram_of_a_grid": ("""
import numpy as np
def f(img, nb):
    h = np.zeros((nb, nb), dtype=np.int64)
    rows, cols = img.shape
    for i in range(rows):  # <-
        for j in range(cols - 1):
            h[img[i, j], img[i, j + 1]] += 1
    return h
""", lambda: (R.integers(0, 4, (6, 7)), 4), "np.add.at(h, (img[:, :cols - 1], img[:, 1:cols]), 1)"),
    "inner_loop_summed_into_a_scattered_element": ("""
import numpy as np
def f(a, w, n):
    h = np.zeros(n)
    for i in range(a.shape[0]):  # <-
        for j in range(w.shape[1]):
            h[a[i]] += w[i, j]
    return h
""", lambda: (R.integers(0, 5, 6), R.random((6, 3)), 5), "h[a[i]] += w[i, :].sum(axis=0)"),
}

DECLINE: dict[str, tuple[str, object, str]] = {
    "scattered_twice_into_one_array": ("""
import numpy as np
def f(a, b, n):
    h = np.zeros(n)
    for i in range(a.shape[0]):  # <-
        h[a[i]] += 1.5
        h[b[i]] += 0.25
    return h
""", lambda: (R.integers(0, 5, 20), R.integers(0, 5, 20), 5), "twice"),
    "scattered_array_read_in_the_loop": ("""
import numpy as np
def f(a, n):
    h = np.ones(n)
    for i in range(a.shape[0]):  # <-
        h[a[i]] += h[0]
    return h
""", lambda: (R.integers(0, 5, 20), 5), ""),
    "float_values_into_integer_counts": ("""
import numpy as np
def f(a, w, n):
    h = np.zeros(n, dtype=np.int64)
    for i in range(a.shape[0]):  # <-
        h[a[i]] += w[i]
    return h
""", lambda: (R.integers(0, 5, 20), R.random(20) * 3.0, 5), "non-integer"),
    "int_of_a_float_used_as_a_value_too": ("""
import numpy as np
def f(x, n):
    h = np.zeros(n, dtype=np.int64)
    for i in range(x.shape[0]):  # <-
        b = int(x[i])
        h[b] += b
    return h
""", lambda: (R.random(20) * 4.0, 5), "int\\(\\) of a float"),
}


@pytest.mark.parametrize("name", sorted(REWRITE))
def test_scatter_adds_are_rewritten(name: str) -> None:
    src, make_args, expect = REWRITE[name]
    c = check_equivalent(src, make_args)
    assert expect in c.new, c.new


@pytest.mark.parametrize("name", sorted(DECLINE))
def test_unsafe_scatter_adds_are_declined(name: str) -> None:
    src, make_args, reason = DECLINE[name]
    with pytest.raises(Decline, match=reason or None):
        propose(src, make_args())  # type: ignore[operator]
