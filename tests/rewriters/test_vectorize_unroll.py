"""vectorize on nests with constant inner loops (`for d in (-1, 0, 1)`, `range()` of literals): the
loop is unrolled into the translation, its variable a constant offset or index each time, and a
temporary updated in place (`acc += ...`) keeps its per-iteration value. Each table case is rewritten
into code that gives the loop's results, or declined."""

from __future__ import annotations

import numpy as np
import pytest

from optadvise.rewriters.base import Decline
from tests.rewriters.test_vectorize import check_equivalent, propose

R = np.random.default_rng(11)


def m(h: int, w: int) -> np.ndarray:
    return R.standard_normal((h, w))


BLUR = """
import numpy as np
def f(img):
    h, w = img.shape
    out = img.copy()
    for r in range(1, h - 1):  # <-
        for c in range(1, w - 1):
            acc = 0.0
            for dr in (-1, 0, 1):
                for dc in (-1, 0, 1):
                    acc += img[r + dr, c + dc]
            out[r, c] = acc / 9.0
    return out
"""

# name: (source, args factory (None: module level, `result` holds the outcome), text the rewrite contains)
REWRITE: dict[str, tuple[str, object, str]] = {
    "box_blur_offsets_from_a_tuple": (BLUR, lambda: (m(6, 7),), "out[1:h - 1, 1:w - 1] = (img[:h - 2, :w - 2] +"),
    "module_level_box_blur": ("""
import numpy as np
image = np.arange(42.0).reshape(6, 7) ** 1.5
H, W = image.shape
blurred = image.copy()
for r in range(1, H - 1):  # <-
    for c in range(1, W - 1):
        acc = 0.0
        for dr in (-1, 0, 1):
            for dc in (-1, 0, 1):
                acc += image[r + dr, c + dc]
        blurred[r, c] = acc / 9.0
result = blurred
""", None, "blurred[1:H - 1, 1:W - 1] ="),
    "weighted_stencil_indexes_the_weights_with_the_offset": ("""
import numpy as np
def f(u, w):
    n = u.shape[0]
    out = np.zeros(n)
    for i in range(2, n - 2):  # <-
        s = 0.0
        for d in range(-2, 3):
            s += w[d + 2] * u[i + d]
        out[i] = s
    return out
""", lambda: (R.standard_normal(9), R.standard_normal(5)), "w[0] * u[:n - 4]"),
    "temporary_updated_under_a_condition": ("""
import numpy as np
def f(a):
    out = np.empty_like(a)
    for i in range(len(a)):  # <-
        t = a[i] * 2.0
        if a[i] > 0:
            t += 1.0
        out[i] = t
    return out
""", lambda: (R.standard_normal(8),), "np.where("),
    "unrolled_sum_into_an_accumulator_outside": ("""
import numpy as np
def f(a):
    n = a.shape[0]
    total = 0.0
    for i in range(n - 1):  # <-
        for d in (0, 1):
            total += a[i + d]
    return total
""", lambda: (R.standard_normal(8),), "np.sum("),
    "negative_constant_index_wraps_around": ("""
import numpy as np
def f(a):
    n = a.shape[1]
    out = np.zeros(n)
    for j in range(n):  # <-
        for d in (-1, 0):
            out[j] += a[d, j]
    return out
""", lambda: (m(3, 4),), "out += a[-1, j]"),  # a[-1] wraps in both
    "offset_reads_before_the_start": ("""
import numpy as np
def f(a):
    n = a.shape[0]
    out = np.zeros(n)
    for i in range(n):  # <-
        acc = 0.0
        for d in (-1, 0):
            acc += a[i + d]
        out[i] = acc
    return out
""", lambda: (R.standard_normal(6),), "a[i - 1] + a"),  # a[-1] wraps in both
}

DECLINE: dict[str, tuple[str, object, str]] = {
    "in_place_smoothing_reads_what_it_wrote": ("""
import numpy as np
def f(u):
    n = u.shape[0]
    for i in range(1, n - 1):  # <-
        acc = 0.0
        for d in (-1, 1):
            acc += u[i + d]
        u[i] = acc / 2.0
    return u
""", lambda: (R.standard_normal(8),), "recurrence"),
    "offsets_not_literal": ("""
import numpy as np
def f(a, offs):
    n = a.shape[0]
    out = np.zeros(n)
    for i in range(1, n - 1):  # <-
        acc = 0.0
        for d in offs:
            acc += a[i + d]
        out[i] = acc
    return out
""", lambda: (R.standard_normal(6), (-1, 1)), ""),
}


@pytest.mark.parametrize("name", sorted(REWRITE))
def test_constant_inner_loops_are_unrolled(name: str) -> None:
    src, make_args, expect = REWRITE[name]
    c = check_equivalent(src, make_args)
    assert expect in c.new and "for d" not in c.new, c.new


@pytest.mark.parametrize("name", sorted(DECLINE))
def test_unsafe_unrolled_nests_are_declined(name: str) -> None:
    src, make_args, reason = DECLINE[name]
    with pytest.raises(Decline, match=reason or None):
        propose(src, make_args())  # type: ignore[operator]


def test_a_range_stepping_per_element_state_stays_a_loop() -> None:
    src = """
import numpy as np
def f(a):
    out = np.empty_like(a)
    for i in range(len(a)):  # <-
        x = a[i]
        for t in range(3):
            x = 0.5 * x + 1.0
        out[i] = x
    return out
"""
    c = check_equivalent(src, lambda: (R.standard_normal(5),))
    assert "for t in range(3):" in c.new
