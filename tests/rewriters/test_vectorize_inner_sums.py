"""vectorize on nests whose innermost loops sum into a name set earlier in the body (`loops/inner_sums`):
distances, windows and dot products written with temporaries, accumulations written
`x[i] = product + x[i]`, sums of non-products and after `continue`, Python's `sum()` of a generator in a nest, and reads through computed
subscripts (`a[idx[i]]`; windows such as `img[i + di, j + dj]` are `loops/windows`). Each table case is rewritten into code that gives the loop's results, or declined."""

from __future__ import annotations

import numpy as np
import pytest

from optadvise.rewriters.base import Decline
from tests.rewriters.test_vectorize import check_equivalent, propose

R = np.random.default_rng(11)


def m(*shape: int) -> np.ndarray:
    return R.standard_normal(shape)


# name: (source, args factory, a line the rewrite must contain)
REWRITE: dict[str, tuple[str, object, str]] = {
    "gaussian_kernel_of_a_distance_with_a_temporary": ("""
import math
import numpy as np
def f(X, gamma):
    n, dim = X.shape
    K = np.empty((n, n))
    for i in range(n):  # <-
        for j in range(n):
            d2 = 0.0
            for k in range(dim):
                diff = X[i, k] - X[j, k]
                d2 += diff * diff
            K[i, j] = math.exp(-gamma * d2)
    return K
""", lambda: (m(6, 3), 0.7), "np.sum((X[:, None, :] - X) * (X[:, None, :] - X), axis=-1)"),
    "two_inner_loops_and_a_subtraction": ("""
import numpy as np
def f(V, W, b):
    n, p, q = V.shape
    out = np.zeros(n)
    for i in range(n):  # <-
        s = b[i]
        for a in range(p):
            for c in range(q):
                s -= W[a, c] * V[i, a, c]
        out[i] = s
    return out
""", lambda: (m(5, 3, 4), m(3, 4), m(5)), "axis=(-2, -1)"),
    "row_norm_from_a_value_set_before_the_sum": ("""
import math
import numpy as np
def f(A, w):
    n, p = A.shape
    out = np.zeros(n)
    for i in range(n):  # <-
        scale = w[i] * 2.0
        t = 0.0
        for k in range(p):
            t += (scale * A[i, k]) ** 2
        out[i] = math.sqrt(t)
    return out
""", lambda: (m(5, 4), m(5)), "np.sum("),
    "accumulation_with_the_element_on_the_right": ("""
import numpy as np
def f(alpha, beta, A, B, x):
    n = A.shape[0]
    tmp = np.zeros(n)
    y = np.zeros(n)
    for i in range(n):  # <-
        tmp[i] = 0.0
        y[i] = 0.0
        for j in range(n):
            tmp[i] = A[i, j] * x[j] + tmp[i]
            y[i] = B[i, j] * x[j] + y[i]
        y[i] = alpha * tmp[i] + beta * y[i]
    return y
""", lambda: (1.5, 1.2, m(5, 5), m(5, 5), m(5)), "@ x"),
    "pair_forces_skipping_the_diagonal_into_three_columns": ("""
import math
import numpy as np
def f(pos, mass, eps2):
    n = pos.shape[0]
    acc = np.zeros((n, 3))
    for i in range(n):  # <-
        for j in range(n):
            if i == j:
                continue
            dx = pos[j, 0] - pos[i, 0]
            dy = pos[j, 1] - pos[i, 1]
            dz = pos[j, 2] - pos[i, 2]
            r2 = dx * dx + dy * dy + dz * dz + eps2
            inv = mass[j] / (r2 * math.sqrt(r2))
            acc[i, 0] += dx * inv
            acc[i, 1] += dy * inv
            acc[i, 2] += dz * inv
    return acc
""", lambda: (m(6, 3), R.random(6), 0.0), "_keep = "),
    "conditional_accumulation": ("""
import numpy as np
def f(A, x):
    n, p = A.shape
    y = np.zeros(n)
    for i in range(n):  # <-
        for j in range(p):
            if x[j] > 0:
                y[i] += A[i, j] * x[j]
    return y
""", lambda: (m(4, 5), R.standard_normal(5)), "np.where(x[:p] > 0"),
    "valid_convolution_with_a_small_kernel": ("""
import numpy as np
def f(img, kern):
    h, w = img.shape
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
""", lambda: (m(7, 8), m(3, 3)), "acc += img[di:h - kh + di + 1, dj:w - kw + dj + 1] * kern[di, dj]"),
    "gather_through_an_index_array_with_negative_entries": ("""
import numpy as np
def f(a, idx):
    out = np.empty(idx.shape[0])
    for i in range(idx.shape[0]):  # <-
        out[i] = 2.0 * a[idx[i]]
    return out
""", lambda: (m(6), np.array([0, -1, 3, -6, 5])), "a[idx]"),
    "python_sum_of_a_generator_per_row": ("""
import numpy as np
def f(A, x):
    n, m = A.shape
    y = np.zeros(n)
    for i in range(n):  # <-
        y[i] = sum(A[i, j] * x[j] for j in range(m) if A[i, j] > 0.0) + 1.0
    return y
""", lambda: (m(5, 4), m(4)), "np.sum(np.where(A > 0.0, A * x[:m], 0), axis=-1)"),
}

DECLINE: dict[str, tuple[str, object, str]] = {
    "python_sum_of_index_products": ("""
import numpy as np
def f(A):
    n, p = A.shape
    for i in range(n):  # <-
        A[i, 0] = sum(i * j for j in range(p))
    return A
""", lambda: (m(4, 3),), "Python ints"),
    "python_sum_over_a_row_object": ("""
import numpy as np
def f(A):
    n, p = A.shape
    out = np.zeros(n)
    for i in range(n):  # <-
        out[i] = sum(v for v in A[i])
    return out
""", lambda: (m(4, 3),), "computed value"),
    "gather_from_the_array_the_loop_writes": ("""
import numpy as np
def f(a, idx):
    for i in range(idx.shape[0]):  # <-
        a[i] = 2.0 * a[idx[i]]
    return a
""", lambda: (m(6), np.array([1, 0, 3, 2, 5])), "indirect"),
    "gather_through_float_indices": ("""
import numpy as np
def f(a, pos):
    out = np.empty(pos.shape[0])
    for i in range(pos.shape[0]):  # <-
        out[i] = a[pos[i]]
    return out
""", lambda: (m(6), np.array([1.0, 2.0])), "indirect"),
    "negative_constant_column_may_be_the_written_one": ("""
import numpy as np
def f(x):
    n = x.shape[0]
    for i in range(1, n):  # <-
        x[i, 0] = x[i - 1, -1] + 1.0
    return x
""", lambda: (np.zeros((5, 1)),), "different fixed indices"),
    "two_written_columns_that_may_be_one": ("""
import numpy as np
def f(pos):
    n = pos.shape[0]
    acc = np.zeros((n, 3))
    for i in range(n):  # <-
        for j in range(n):
            acc[i, 0] += pos[j, 0] - pos[i, 0]
            acc[i, -3] += pos[j, 1]
    return acc
""", lambda: (m(5, 3),), "several different places"),
    "conditional_float_sum_into_an_integer_array": ("""
import numpy as np
def f(A):
    n, p = A.shape
    c = np.zeros(n, dtype=np.int64)
    for i in range(n):  # <-
        for j in range(p):
            if A[i, j] > 0:
                c[i] += A[i, j] * 2
    return c
""", lambda: (R.integers(-5, 5, (4, 5)),), "conditional accumulation"),
    "accumulator_read_inside_its_sum": ("""
import numpy as np
def f(A):
    n, p = A.shape
    out = np.zeros(n)
    for i in range(n):  # <-
        s = 0.0
        for k in range(p):
            t = A[i, k] + s
            s += t
        out[i] = s
    return out
""", lambda: (m(4, 5),), "read before it is assigned"),
    "temporary_of_the_last_step_read_after_the_sum": ("""
import numpy as np
def f(A):
    n, p = A.shape
    out = np.zeros(n)
    for i in range(n):  # <-
        s = 0.0
        for k in range(p):
            last = A[i, k]
            s += last
        out[i] = s + last
    return out
""", lambda: (m(4, 5),), "read before it is assigned"),
    "summand_that_does_not_vary_with_the_inner_loop": ("""
import numpy as np
def f(A, b):
    n, p = A.shape
    out = np.zeros(n)
    for i in range(n):  # <-
        s = 0.0
        for k in range(p):
            s += b[i]
        out[i] = s + A[i, 0]
    return out
""", lambda: (m(4, 5), m(4)), "does not vary"),
    "int32_elements_summed_by_python_ints": ("""
import numpy as np
def f(A):
    n, p = A.shape
    out = np.zeros(n, dtype=np.int64)
    for i in range(n):  # <-
        s = 0
        for k in range(p):
            v = A[i, k]
            s += v * v
        out[i] = s
    return out
""", lambda: (R.integers(-2**15, 2**15, (4, 5)).astype(np.int32),), "int32"),
    "temporary_carried_between_steps_of_the_inner_loop": ("""
import numpy as np
def f(A):
    n, p = A.shape
    out = np.zeros(n)
    for i in range(n):  # <-
        s = 0.0
        prev = 0.0
        for k in range(p):
            s += A[i, k] * prev
            prev = A[i, k]
        out[i] = s
    return out
""", lambda: (m(4, 5),), "set before an inner sum"),
}


@pytest.mark.parametrize("name", sorted(REWRITE))
def test_inner_sums_are_rewritten_to_whole_array_code(name: str) -> None:
    src, make_args, expect = REWRITE[name]
    c = check_equivalent(src, make_args)
    assert expect in c.new, c.new


@pytest.mark.parametrize("name", sorted(DECLINE))
def test_unsafe_inner_sums_are_declined(name: str) -> None:
    src, make_args, reason = DECLINE[name]
    with pytest.raises(Decline, match=reason or None):
        propose(src, make_args())  # type: ignore[operator]
