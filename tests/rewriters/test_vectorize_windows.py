"""vectorize on window loops (`loops/windows`): a short loop over a window around the nest's indices
is kept while the nest around it becomes slices, each element seeing the same operations in the
same order (results equal bit for bit). Each table case is rewritten, or declined where a slice could
read another element than the loop (a wrapped negative index, past the end, an in-place stencil)."""

from __future__ import annotations

import libcst as cst
import numpy as np
import pytest

from optadvise.rewriters.base import Decline
from optadvise.rewriters.loops.linear import Lin, greatest, least, linear
from tests.rewriters.test_vectorize import check_equivalent, propose, run

R = np.random.default_rng(11)


def v(n: int) -> np.ndarray:
    return R.standard_normal(n)


SMOOTH = """
import numpy as np
def f(a, w, r):
    n = a.shape[0]
    out = np.zeros(n)
    for i in range(r, n - r):  # <-
        s = 0.0
        for k in range(-r, r + 1):
            s += a[i + k] * w[k + r]
        out[i] = s
    return out
"""

# name: (source, args factory, a line the rewrite must contain)
REWRITE: dict[str, tuple[str, object, str]] = {
    "smoothing_with_a_radius": (SMOOTH, lambda: (v(30), v(7), 3), "s += a[r + k:n - r + k] * w[k + r]"),
    "radius_zero_is_a_copy": (SMOOTH, lambda: (v(12), v(1), 0), "if r >= 0 and n - r > r:"),
    "valid_convolution_over_the_kernel_length": ("""
import numpy as np
def f(x, h):
    n, m = len(x), len(h)
    out = np.zeros(n - m + 1)
    for i in range(n - m + 1):  # <-
        s = 0.0
        for j in range(m):
            s += x[i + j] * h[j]
        out[i] = s
    return out
""", lambda: (v(25), v(4)), "s += x[j:n - m + j + 1] * h[j]"),
    "gaussian_filter_2d_with_a_radius": ("""
import numpy as np
def f(img, kern, r):
    h, w = img.shape
    out = img.copy()
    for i in range(r, h - r):  # <-
        for j in range(r, w - r):
            acc = 0.0
            for di in range(-r, r + 1):
                for dj in range(-r, r + 1):
                    acc += img[i + di, j + dj] * kern[di + r, dj + r]
            out[i, j] = acc
    return out
""", lambda: (R.standard_normal((9, 11)), R.standard_normal((5, 5)), 2),
        "acc += img[r + di:h - r + di, r + dj:w - r + dj] * kern[di + r, dj + r]"),
    "moving_average_counted_from_the_index": ("""
import numpy as np
def f(x, r):
    n = len(x)
    avg = np.full(n, np.nan)
    for i in range(r, n - r):  # <-
        total = 0.0
        for k in range(i - r, i + r + 1):
            total += x[k]
        avg[i] = total / (2 * r + 1)
    return avg
""", lambda: (v(40), 3), "for k in range(-r, r + 1):"),
    "window_offset_read_as_a_weight": ("""
import numpy as np
def f(x, w):
    n = len(x)
    out = np.zeros(n - w + 1)
    for i in range(n - w + 1):  # <-
        s = 0.0
        for k in range(i, i + w):
            s += x[k] * (k - i + 1)
        out[i] = s / w
    return out
""", lambda: (v(20), 4), "s += x[k:n - w + k + 1] * (k + 1)"),
    "local_maximum_over_two_half_windows": ("""
import numpy as np
def f(x, r):
    n = x.shape[0]
    peak = np.zeros(n, dtype=bool)
    for i in range(r, n - r):  # <-
        best = -np.inf
        for k in range(i - r, i):
            best = max(best, x[k])
        for k in range(i + 1, i + r + 1):
            best = max(best, x[k])
        peak[i] = x[i] > best
    return peak
""", lambda: (v(40), 2), "for k in range(1, r + 1):"),
    "index_minus_radius_plus_offset": ("""
import numpy as np
def f(a, r):
    n = len(a)
    out = np.zeros(n)
    for i in range(r, n - r):  # <-
        s = 0.0
        for k in range(2 * r + 1):
            s += a[i - r + k] ** 2
        out[i] = s
    return out
""", lambda: (v(20), 2), "s += a[k:n - 2 * r + k] ** 2"),
    "accumulator_starting_from_an_input_is_not_updated_in_place": ("""
import numpy as np
def f(a, b, r):
    n = len(a)
    out = np.zeros(n)
    for i in range(r, n - r):  # <-
        s = b[i]
        for k in range(-r, r + 1):
            s += a[i + k]
        out[i] = s
    return out
""", lambda: (v(20), v(20), 2), "s = s + a[r + k:n - r + k]"),
    "accumulated_straight_into_the_output": ("""
import numpy as np
def f(a, w, r):
    n = len(a)
    out = np.zeros(n)
    for i in range(r, n - r):  # <-
        for k in range(-r, r + 1):
            out[i] += a[i + k] * w[k + r]
    return out
""", lambda: (v(20), v(5), 2), "out[r:n - r] += a[r + k:n - r + k] * w[k + r]"),
    "running_maximum_into_the_output": ("""
import numpy as np
def f(a, r):
    n = len(a)
    out = np.full(n, -np.inf)
    for i in range(r, n - r):  # <-
        for k in range(-r, r + 1):
            out[i] = max(out[i], a[i + k])
    return out
""", lambda: (v(20), 2), "out[r:n - r] = np.where("),
    "a_radius_set_just_before_needs_no_sign_check": ("""
import numpy as np
def f(a):
    n = len(a)
    out = np.zeros(n)
    r = 5 // 2
    for i in range(r, n - r):  # <-
        s = 0.0
        for k in range(-r, r + 1):
            s += a[i + k]
        out[i] = s
    return out
""", lambda: (v(20),), "    if n - r > r:\n        s = 0.0"),  # only that the loop runs
    "a_start_checked_at_run_time_takes_the_loop_when_negative": ("""
import numpy as np
def f(M, s):
    n = M.shape[0]
    U = np.zeros_like(M)
    for i in range(n):  # <-
        for j in range(s, n):
            U[i, j] = M[i, j]
    return U
""", lambda: (R.standard_normal((5, 5)), -2), "if s >= 0:"),
}

# name: (source, args factory, reason)
DECLINE: dict[str, tuple[str, object, str]] = {
    "in_place_window_update": ("""
import numpy as np
def f(a, r):
    n = len(a)
    for i in range(r, n - r):  # <-
        s = 0.0
        for k in range(-r, r + 1):
            s += a[i + k]
        a[i] = s / (2 * r + 1)
    return a
""", lambda: (v(20), 1), "in-place stencil"),
    "in_place_three_point_average": ("""
import numpy as np
def f(a):
    for i in range(1, len(a) - 1):  # <-
        a[i] = (a[i - 1] + a[i] + a[i + 1]) / 3
    return a
""", lambda: (v(20),), "recurrence"),
    "window_start_can_go_negative": ("""
import numpy as np
def f(a, r):
    n = len(a)
    out = np.zeros(n)
    for i in range(0, n - r):  # <-
        t = 0.0
        for k in range(-r, r + 1):
            t += a[i + k]
        out[i] = t
    return out
""", lambda: (v(20), 2), "may be negative"),
    "window_bound_unrelated_to_the_radius": ("""
import numpy as np
def f(a, r, s):
    n = len(a)
    out = np.zeros(n)
    for i in range(r, n - r):  # <-
        t = 0.0
        for k in range(-r, s):
            t += a[i + k]
        out[i] = t
    return out
""", lambda: (v(20), 2, 2), "may pass the end"),
    "scatter_through_a_window": ("""
import numpy as np
def f(a, w, r):
    n = len(a)
    out = np.zeros(n)
    for i in range(r, n - r):  # <-
        for k in range(-r, r + 1):
            out[i + k] += a[i] * w[k + r]
    return out
""", lambda: (v(20), v(5), 2), ""),
    "window_stop_past_the_end": ("""
import numpy as np
def f(a, r):
    n = len(a)
    out = np.zeros(n)
    for i in range(r, n - r):  # <-
        t = 0.0
        for k in range(-r, r + 2):
            t += a[i + k]
        out[i] = t
    return out
""", lambda: (v(20), 2), "may pass the end"),
    "window_over_a_length_that_is_not_the_arrays": ("""
import numpy as np
def f(a, n, r):
    out = np.zeros(n)
    for i in range(r, n - r):  # <-
        t = 0.0
        for k in range(-r, r + 1):
            t += a[i + k]
        out[i] = t
    return out
""", lambda: (v(20), 20, 2), "may pass the end"),
}


@pytest.mark.parametrize("name", sorted(REWRITE))
def test_window_loops_are_rewritten_to_slices(name: str) -> None:
    src, make_args, expect = REWRITE[name]
    c = check_equivalent(src, make_args)
    assert expect in c.new, c.new
    args = make_args()  # type: ignore[operator]
    assert np.array_equal(run(src, args)[0], run(c.new, args)[0], equal_nan=True)  # the same operations


@pytest.mark.parametrize("name", sorted(DECLINE))
def test_unsafe_window_loops_are_declined(name: str) -> None:
    src, make_args, reason = DECLINE[name]
    with pytest.raises(Decline, match=reason or None):
        propose(src, make_args())  # type: ignore[operator]


def test_an_unproven_end_reads_through_index_grids_as_before() -> None:
    src = """
import numpy as np
def f(img, kern, h):
    w = img.shape[1]
    kh, kw = kern.shape
    out = np.zeros((h - kh + 1, w - kw + 1))
    for i in range(h - kh + 1):  # <-
        for j in range(w - kw + 1):
            acc = 0.0
            for di in range(kh):
                for dj in range(kw):
                    acc += img[i + di, j + dj] * kern[di, dj]
            out[i, j] = acc
    return out
"""  # `h` is not known to be `img`'s height: no slice; the grids read what the loop reads
    c = check_equivalent(src, lambda: (R.standard_normal((8, 9)), R.standard_normal((3, 3)), 8))
    assert "img[i + di, j + dj]" in c.new, c.new


def test_a_negative_radius_runs_the_original_loop() -> None:
    new = propose(SMOOTH, (v(12), v(3), 1))[0].new
    for code in (SMOOTH, new):  # r = -1: the loop writes out[-1], then fails at out[n]
        with pytest.raises(IndexError):
            run(code, (v(12), v(3), -1))


@pytest.mark.parametrize("n", [5, 6, 7, 8])
def test_a_loop_that_does_not_run_still_does_nothing(n: int) -> None:
    """n <= 2r: the loop over i never runs, and no slice's end may wrap around instead."""
    new = propose(SMOOTH, (v(30), v(9), 4))[0].new
    assert "n - r > r" in new, new
    args = (np.arange(float(n)), np.ones(9) / 9, 4)
    assert np.array_equal(run(SMOOTH, args)[0], run(new, args)[0])


def test_a_read_that_wraps_around_keeps_wrapping() -> None:
    src = """
import numpy as np
def f(a):
    n = len(a)
    out = np.zeros(n)
    for i in range(0, n - 1):  # <-
        s = 0.0
        for k in range(-1, 2):
            s += a[i + k]
        out[i] = s
    return out
"""
    c = check_equivalent(src, lambda: (v(9),))  # out[0] adds a[-1], the last element
    assert "a[i - 1]" in c.new, c.new  # an index grid, which wraps like the loop, not a slice


def form(code: str) -> Lin:
    got = linear(cst.parse_expression(code), lambda e: e.value if isinstance(e, cst.Name) else None)
    assert got is not None
    return got


@pytest.mark.parametrize(("code", "written"), [
    ("i + k", "i + k"), ("i - r + k", "i + k - r"), ("2 * r + 1", "2 * r + 1"), ("-(r - 1)", "-r + 1"),
    ("n - r - (n - r)", "0"), ("r * 3 - r", "2 * r")])
def test_linear_forms_read_and_write_index_arithmetic(code: str, written: str) -> None:
    assert form(code).code() == written


def test_linear_forms_bound_an_index_over_its_ranges() -> None:
    ranges = {"i": (form("r"), form("n - r")), "k": (form("-r"), form("r + 1"))}
    assert least(form("i + k"), ranges) == Lin()
    assert greatest(form("i + k"), ranges) == form("n - 1")
    assert least(form("i - k"), ranges) == Lin()
    assert linear(cst.parse_expression("i * k"), lambda e: e.value if isinstance(e, cst.Name) else None) is None
