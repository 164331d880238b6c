"""vectorize on clipped windows (`loops/clipped`): a loop over every element whose window is clamped at
the edges is split into its interior, vectorized as a window loop, and its edges, kept as loops.
Each table case is rewritten and run against the loop for every length from 0 to 2r + 3 and several
radii (n <= 2r included), equal bit for bit; the split itself (edges and interior, without the run-time
checks) covers every iteration once. Traps are not split: an in-place smoothing, a clamp past the
array's end, clamps that disagree, effects whose order matters, values read after the loop."""

from __future__ import annotations

import re
from collections.abc import Callable

import libcst as cst
import numpy as np
import pytest

from optadvise.rewriters.base import Decline
from optadvise.rewriters.cst import Edits, Tree
from optadvise.rewriters.loops.clipped import split_clipped
from optadvise.rewriters.loops.site import loop_at, module_name
from optadvise.rewriters.vectorize import clipped
from tests.rewriters.test_vectorize import check_equivalent, finding, loop_line, profile_of, run

R = np.random.default_rng(53)
RADII = (0, 1, 2, 3)

Args = Callable[[int, int], tuple]


def series(n: int, r: int) -> tuple:
    return (R.standard_normal(n), r)


def image(n: int, r: int) -> tuple:
    return (R.standard_normal((n, n + 2)), r)


NAMED = """
import numpy as np
def f(x, r):
    n = len(x)
    out = np.zeros(n)
    for i in range(n):  # <-
        lo = max(0, i - r)
        hi = min(n, i + r + 1)
        s = 0.0
        for k in range(lo, hi):
            s += x[k]
        out[i] = s / (hi - lo)
    return out
"""

# name: (source, args for (n, r), a line the rewrite must contain)
REWRITE: dict[str, tuple[str, Args, str]] = {
    "named_bounds_moving_average": (NAMED, series, "out[r:n - r] = s / (2 * r + 1)"),
    "inline_bounds_and_count": ("""
import numpy as np
def f(x, r):
    n = x.shape[0]
    out = np.empty(n)
    for i in range(n):  # <-
        s = 0.0
        for k in range(max(0, i - r), min(n, i + r + 1)):
            s += x[k] * x[k]
        out[i] = s / (min(n, i + r + 1) - max(0, i - r))
    return out
""", series, "out[r:n - r] = s / (2 * r + 1)"),
    "arguments_in_the_other_order": ("""
import numpy as np
def f(x, r):
    n = len(x)
    out = np.zeros(n)
    for i in range(n):  # <-
        lo = max(i - r, 0)
        hi = min(i + r + 1, n)
        t = 0.0
        for k in range(lo, hi):
            t += x[k]
        out[i] = t / (hi - lo)
    return out
""", series, "for k in range(-r, r + 1):"),
    "last_index_as_the_bound_is_followed": ("""
import numpy as np
def f(x, r):
    n = len(x)
    out = np.zeros(n)
    for i in range(n):  # <-
        lo = max(0, i - r)
        hi = min(n - 1, i + r + 1)
        s = 0.0
        for k in range(lo, hi):
            s += x[k]
        out[i] = s / max(hi - lo, 1)
    return out
""", series, "if r >= 0 and n - r - 1 > r:"),
    "inclusive_window": ("""
import numpy as np
def f(x, r):
    n = len(x)
    out = np.zeros(n)
    for i in range(n):  # <-
        lo = max(0, i - r)
        hi = min(n - 1, i + r)
        s = 0.0
        for k in range(lo, hi + 1):
            s += x[k]
        out[i] = s / (hi - lo + 1)
    return out
""", series, "out[r:n - r] = s / (2 * r + 1)"),
    "count_from_a_narrower_clamp": ("""
import numpy as np
def f(x, r):
    n = len(x)
    out = np.zeros(n)
    for i in range(n):  # <-
        lo = max(0, i - r)
        hi = min(n, i + r + 1)
        s = 0.0
        for k in range(lo, hi):
            s += x[k]
        out[i] = s / (min(n, i + r) - lo + 1)
    return out
""", series, "out[r:n - r] = s / (2 * r + 1)"),
    "full_count_kept_at_the_edges": ("""
import numpy as np
def f(x, r):
    n = len(x)
    out = np.zeros(n)
    for i in range(n):  # <-
        s = 0.0
        for k in range(max(0, i - r), min(n, i + r + 1)):
            s += x[k]
        out[i] = s / (2 * r + 1)
    return out
""", series, "for i in (*range(min(r, n)), *range(max(r, n - r), n)):"),
    "counts_stored_as_integers": ("""
import numpy as np
def f(x, r):
    n = len(x)
    total = np.zeros(n)
    count = np.zeros(n, dtype=np.int64)
    for i in range(n):  # <-
        lo = max(0, i - r)
        hi = min(n, i + r + 1)
        s = 0.0
        for k in range(lo, hi):
            s += x[k]
        total[i] = s
        count[i] = hi - lo
    return total, count
""", series, "count[r:n - r] = 2 * r + 1"),
    "window_shifted_to_keep_its_size": ("""
import numpy as np
def f(x, r):
    n = len(x)
    out = np.zeros(n)
    for i in range(n):  # <-
        lo = max(0, i - r)
        hi = min(n, lo + 2 * r + 1)
        s = 0.0
        for k in range(lo, hi):
            s += x[k]
        out[i] = s / (hi - lo)
    return out
""", series, "s += x[r + k:n - r + k]"),
    "trailing_window_clipped_at_the_start_only": ("""
import numpy as np
def f(x, r):
    n = len(x)
    out = np.zeros(n)
    for i in range(n):  # <-
        lo = max(0, i - r)
        s = 0.0
        for k in range(lo, i + 1):
            s += x[k]
        out[i] = s / (i + 1 - lo)
    return out
""", series, "for i in range(min(r, n)):"),
    "window_weights_counted_from_the_clamp": ("""
import numpy as np
def f(x, r):
    n = len(x)
    w = np.linspace(1.0, 2.0, 2 * r + 1)
    out = np.zeros(n)
    for i in range(n):  # <-
        lo = max(0, i - r)
        hi = min(n, i + r + 1)
        s = 0.0
        for k in range(lo, hi):
            s += x[k] * w[k - i + r]
        out[i] = s
    return out
""", series, "s += x[r + k:n - r + k] * w[r + k]"),
    "accumulated_straight_into_the_output": ("""
import numpy as np
def f(x, r):
    n = len(x)
    out = np.zeros(n)
    for i in range(n):  # <-
        for k in range(max(0, i - r), min(n, i + r + 1)):
            out[i] += x[k]
    return out
""", series, "out[r:n - r] += x[r + k:n - r + k]"),
    "output_given_by_the_caller": ("""
import numpy as np
def f(x, out, r):
    n = len(x)
    for i in range(n):  # <-
        lo = max(0, i - r)
        hi = min(n, i + r + 1)
        s = 0.0
        for k in range(lo, hi):
            s += x[k]
        out[i] = s / (hi - lo)
    return out
""", lambda n, r: (R.standard_normal(n), np.zeros(n), r), "if not np.may_share_memory(out, x):"),
    "edge_replicated_three_point_stencil": ("""
import numpy as np
def f(x, r):
    n = len(x)
    out = np.empty(n)
    for i in range(n):  # <-
        out[i] = (x[max(0, i - 1)] + x[i] + x[min(n - 1, i + 1)]) / 3.0
    return out
""", series, "out[1:n - 1] = (x[:n - 2] + x[1:n - 1] + x[2:n]) / 3.0"),
    "box_blur_clamped_on_both_axes": ("""
import numpy as np
def f(img, r):
    h, w = img.shape
    out = np.zeros((h, w))
    for i in range(h):  # <-
        for j in range(w):
            i0 = max(0, i - r)
            i1 = min(h, i + r + 1)
            j0 = max(0, j - r)
            j1 = min(w, j + r + 1)
            s = 0.0
            for a in range(i0, i1):
                for b in range(j0, j1):
                    s += img[a, b]
            out[i, j] = s / ((i1 - i0) * (j1 - j0))
    return out
""", image, "out[r:h - r, r:w - r] = s / ((2 * r + 1) * (2 * r + 1))"),
    "local_mean_with_row_clamps_between_the_loops": ("""
import numpy as np
def f(img, r):
    h, w = img.shape
    out = np.zeros((h, w))
    for i in range(h):  # <-
        top = max(0, i - r); bottom = min(h, i + r + 1)
        for j in range(w):
            left = max(0, j - r)
            right = min(w, j + r + 1)
            s = 0.0
            for a in range(top, bottom):
                for b in range(left, right):
                    s += img[a, b]
            out[i, j] = s / ((bottom - top) * (right - left))
    return out
""", image, ""),
    "rows_clamped_columns_whole": ("""
import numpy as np
def f(img, r):
    h, w = img.shape
    out = np.zeros((h, w))
    for i in range(h):  # <-
        for j in range(w):
            s = 0.0
            for a in range(max(0, i - r), min(h, i + r + 1)):
                s += img[a, j]
            out[i, j] = s
    return out
""", image, "for i in (*range(min(r, h)), *range(max(r, h - r), h)):"),
}

# name: (source, args for (n, r), the reason the split declines)
DECLINE: dict[str, tuple[str, Args, str]] = {
    "in_place_clipped_smoothing": ("""
import numpy as np
def f(a, r):
    n = len(a)
    for i in range(n):  # <-
        lo = max(0, i - r)
        hi = min(n, i + r + 1)
        s = 0.0
        for k in range(lo, hi):
            s += a[k]
        a[i] = s / (hi - lo)
    return a
""", series, "in-place stencil"),
    "interior_past_a_shorter_loop": ("""
import numpy as np
def f(x, r):
    n = len(x)
    out = np.zeros(n)
    for i in range(n - 1):  # <-
        s = 0.0
        for k in range(max(0, i - r), min(n, i + r + 1)):
            s += x[k]
        out[i] = s
    return out
""", series, "may pass its range"),
    "two_radii_that_are_not_a_constant_apart": ("""
import numpy as np
def f(x, r, q):
    n = len(x)
    out = np.zeros(n)
    for i in range(n):  # <-
        s = 0.0
        for k in range(max(0, i - r), min(n, i + r + 1)):
            s += x[k]
        out[i] = s / (min(n, i + q + 1) - max(0, i - q))
    return out
""", lambda n, r: (R.standard_normal(n), r, r + 1), "not a constant apart"),
    "running_total_across_iterations": ("""
import numpy as np
def f(x, r):
    n = len(x)
    out = np.zeros(n)
    total = 0.0
    for i in range(n):  # <-
        s = 0.0
        for k in range(max(0, i - r), min(n, i + r + 1)):
            s += x[k]
        out[i] = s
        total += s
    return out, total
""", series, "`total` .* is read after it"),
    "recurrence_through_the_output": ("""
import numpy as np
def f(x, r):
    n = len(x)
    out = np.zeros(n + 1)
    for i in range(n):  # <-
        s = 0.0
        for k in range(max(0, i - r), min(n, i + r + 1)):
            s += x[k]
        out[i + 1] = out[i] + s
    return out
""", series, "recurrence"),
    "first_element_read_after_the_edge_wrote_it": ("""
import numpy as np
def f(x, r):
    n = len(x)
    out = np.zeros(n)
    for i in range(n):  # <-
        s = 0.0
        for k in range(max(0, i - 2), min(n, i + 3)):
            s += x[k]
        out[i] = s - out[0]
    return out
""", series, "different fixed indices"),
    "printed_per_element": ("""
import numpy as np
def f(x, r):
    n = len(x)
    out = np.zeros(n)
    for i in range(n):  # <-
        s = 0.0
        for k in range(max(0, i - r), min(n, i + r + 1)):
            s += x[k]
        out[i] = s
        print(i)
    return out
""", series, "print"),
    "random_draws_in_loop_order": ("""
import numpy as np
def f(x, r):
    rng = np.random.default_rng(0)
    n = len(x)
    out = np.zeros(n)
    for i in range(n):  # <-
        s = 0.0
        for k in range(max(0, i - r), min(n, i + r + 1)):
            s += x[k] * rng.standard_normal()
        out[i] = s
    return out
""", series, "side effects"),
    "clamp_read_after_the_loop": ("""
import numpy as np
def f(x, r):
    n = len(x)
    out = np.zeros(n)
    for i in range(n):  # <-
        lo = max(0, i - r)
        hi = min(n, i + r + 1)
        s = 0.0
        for k in range(lo, hi):
            s += x[k]
        out[i] = s
    return out, hi
""", series, "read after it"),
    "running_maximum_between_the_clamped_loops": ("""
import numpy as np
def f(img, r):
    h, w = img.shape
    out = np.zeros((h, w))
    m = 0
    for i in range(h):  # <-
        m = max(m, i)
        for j in range(w):
            s = 0.0
            for a in range(max(0, i - r), min(h, i + r + 1)):
                for b in range(max(0, j - r), min(w, j + r + 1)):
                    s += img[a, b]
            out[i, j] = s
    return out
""", image, "other than a clamp"),
    "appended_in_order": ("""
import numpy as np
def f(x, r):
    n = len(x)
    out = np.zeros(n)
    sums = []
    for i in range(n):  # <-
        s = 0.0
        for k in range(max(0, i - r), min(n, i + r + 1)):
            s += x[k]
        out[i] = s
        sums.append(x[i] * 2.0)
    return out, sums
""", series, "not independent"),
}


def lengths(r: int) -> range:
    return range(0, 2 * r + 4)


def outcome(src: str, args: tuple) -> list[np.ndarray] | type[BaseException]:
    """The arrays `f` returns, or the type of what it raised."""
    try:
        got = run(src, args)[0]
    except Exception as e:
        return type(e)
    return [np.asarray(x) for x in (got if isinstance(got, tuple) else (got,))]


def same_outcome(a: list[np.ndarray] | type[BaseException], b: list[np.ndarray] | type[BaseException]) -> bool:
    if isinstance(a, type) or isinstance(b, type):
        return a is b
    return len(a) == len(b) and all(x.dtype == y.dtype and np.array_equal(x, y, equal_nan=True) for x, y in zip(a, b))


@pytest.mark.parametrize("name", sorted(REWRITE))
def test_clipped_windows_are_split_and_give_the_same_results(name: str) -> None:
    src, make, expect = REWRITE[name]
    c = check_equivalent(src, lambda: make(12, 2))
    assert expect in c.new, c.new
    assert "its clipped edges stay loops" in c.description
    for r in (-1, *RADII):  # a negative radius runs the loop as it was
        for n in lengths(max(r, 0)):
            args = make(n, r)
            assert same_outcome(outcome(src, args), outcome(c.new, args)), (n, r)


def split_program(src: str) -> str:
    """The module with the loop replaced by its interior loop and its edges, with no run-time check."""
    tree = Tree(src)
    loop = loop_at(tree, loop_line(src))
    assert isinstance(loop, cst.For)
    split = split_clipped(tree, tree.scope_of(loop), loop)
    assert split is not None
    inner = Tree(split.interior)
    interior = loop_at(inner, loop_line(src))
    return inner.module.visit(Edits(replace={id(interior): cst.FlattenSentinel([interior, *split.edges])})).code


@pytest.mark.parametrize("name", sorted(REWRITE))
def test_edges_and_interior_cover_every_iteration_once(name: str) -> None:
    """For every n and r >= 0 (n <= 2r and r > n included): no iteration is lost or run twice."""
    src, make, _ = REWRITE[name]
    plain = re.sub(r"^(\s+\w+\[i(, j)?\]) = ", r"\1 += ", src.replace("np.empty(", "np.zeros("), flags=re.M)
    counting = split_program(plain)  # an iteration run twice adds twice
    for r in RADII:
        for n in lengths(r):
            args = make(n, r)
            assert same_outcome(outcome(plain, args), outcome(counting, args)), (n, r)


def split_piece(src: str, args: tuple) -> None:
    """Split the loop and vectorize its interior, as `vectorize` does."""
    import inspect
    ns: dict[str, object] = {}
    exec(compile(src, "<case>", "exec"), ns)
    names = list(inspect.signature(ns["f"]).parameters)  # type: ignore[arg-type]
    tree = Tree(src)
    loop = loop_at(tree, loop_line(src))
    assert isinstance(loop, cst.For)
    split = split_clipped(tree, tree.scope_of(loop), loop)
    assert split is not None, "no clamp found"
    clipped(tree, split, finding(src, "f"), profile_of("f", dict(zip(names, args)), set(names)),
            module_name(tree, "numpy")[0])


@pytest.mark.parametrize("name", sorted(DECLINE))
def test_unsafe_clipped_windows_are_not_split(name: str) -> None:
    src, make, reason = DECLINE[name]
    with pytest.raises(Decline, match=reason):
        split_piece(src, make(12, 2))
    try:  # what vectorize does instead (the inner loop alone, or nothing) keeps the results
        c = check_equivalent(src, lambda: make(12, 2))
    except Decline:
        return
    assert "min(r, n)" not in c.new, c.new


def test_an_output_that_is_the_input_runs_the_loop_as_it_was() -> None:
    src = REWRITE["output_given_by_the_caller"][0]
    new = check_equivalent(src, lambda: (R.standard_normal(12), np.zeros(12), 2)).new
    x = R.standard_normal(12)  # smoothed in place: each element reads the ones already smoothed
    assert np.array_equal(run(src, (x, x, 2))[0], run(new, (x, x, 2))[0])


def test_a_loop_without_clamps_is_not_split() -> None:
    src = NAMED.replace("max(0, i - r)", "0").replace("min(n, i + r + 1)", "n")
    tree = Tree(src)
    loop = loop_at(tree, loop_line(src))
    assert isinstance(loop, cst.For)
    assert split_clipped(tree, tree.scope_of(loop), loop) is None


def test_a_literal_radius_needs_no_sign_check() -> None:
    src = NAMED.replace("def f(x, r):", "def f(x, q):\n    r = 3")
    c = check_equivalent(src, lambda: (R.standard_normal(40), 0))
    assert "r >= 0" not in c.new and "if n - r > r:" in c.new, c.new
