"""vectorize on values computed from the loop indices (broadcast index grids, Python's int/float
semantics kept) and on ranges that start at an outer index (triangles, as per-row slices). Each table
case is run for real against the original loop, or must decline."""

from __future__ import annotations

import numpy as np
import pytest

from optadvise.rewriters.base import Decline
from tests.rewriters.test_vectorize import check_equivalent, propose

R = np.random.default_rng(11)


def grid(h: int, w: int) -> np.ndarray:
    return R.standard_normal((h, w))


def filled(expr: str, dtype: str = "float64", header: str = "for i in range(n):  # <-\n        for j in range(m):") -> str:
    return (f"import numpy as np\ndef f(n, m):\n    A = np.empty((n, m), dtype=np.{dtype})\n    {header}\n"
            f"            A[i, j] = {expr}\n    return A\n")


# name: (source, args factory, a fragment the rewrite must contain)
REWRITE: dict[str, tuple[str, object, str]] = {
    "modulo_of_an_index_product": (filled("((i * j + 1) % n) / n"), lambda: (7, 5), "np.arange(n)[:, None]"),
    "float_of_an_index_sum": (filled("float(i + j) / (n + m)"), lambda: (6, 4), ".astype(np.float64)"),
    "reciprocal_of_an_index_sum": (filled("1.0 / (i + j + 1)"), lambda: (5, 5), "1.0 / ("),
    "negative_floor_division_and_modulo": (filled("(i - 2 * j) // 3 + (i - 2 * j) % 3 * 10", "int64"),
                                           lambda: (6, 5), "// 3"),
    "negative_float_modulo": (filled("(i - j - 0.5) % 2.5"), lambda: (6, 7), "% 2.5"),
    "int_of_an_index_expression_is_exact": (filled("int(i - j) * 2", "int64"), lambda: (4, 6), "A[:] = (i - j) * 2"),
    "literal_bounds_allow_a_square": (
        "import numpy as np\ndef f(n, m):\n    A = np.empty((300, 200))\n    for i in range(300):  # <-\n"
        "        for j in range(200):\n            A[i, j] = (i * i * j) % 97\n    return A\n", lambda: (0, 0), "% 97"),
    "upper_triangle_from_the_next_column": ("""
import numpy as np
def f(M, scale):
    n = M.shape[0]
    U = np.zeros_like(M)
    for i in range(n):  # <-
        for j in range(i + 1, n):
            U[i, j] = scale * M[i, j]
    return U
""", lambda: (grid(6, 6), 2.0), "U[i, i + 1:n] = scale * M[i, i + 1:n]"),
    "diagonal_and_above_with_an_offset_read": ("""
import numpy as np
def f(M):
    n = M.shape[0]
    U = np.zeros_like(M)
    for i in range(n):  # <-
        for j in range(i, n - 1):
            U[i, j] = M[i, j + 1] - M[i, j]
    return U
""", lambda: (grid(5, 5),), "M[i, i + 1:n]"),
    "triangular_matrix_product": ("""
import numpy as np
def f(alpha, U, B):
    n = U.shape[0]
    m = B.shape[1]
    C = np.zeros((n, m))
    for i in range(n):  # <-
        for j in range(m):
            acc = 0.0
            for k in range(i, n):
                acc += U[i, k] * B[k, j]
            C[i, j] = alpha * acc
    return C
""", lambda: (1.5, grid(6, 6), grid(6, 4)), "U[i, i:n] @ B[i:n, :]"),
    "strictly_lower_integer_sums": ("""
import numpy as np
def f(c):
    n = c.shape[0]
    total = 0
    sq = 0
    for i in range(n):  # <-
        for j in range(0, i):
            total += c[i, j]
            sq += c[i, j] * c[i, j]
    return total, sq
""", lambda: (R.integers(-50, 50, (6, 6)),), "c[i, :i]"),
    "triangle_read_below_its_start_wraps_like_python": ("""
import numpy as np
def f(M):
    n = M.shape[0]
    U = np.zeros_like(M)
    for i in range(n):  # <-
        for j in range(i, n):
            U[i, j] = M[i, j - 1]
    return U
""", lambda: (grid(4, 4),), "M[i, j - 1]"),
}

DECLINE: dict[str, tuple[str, object, str]] = {
    "index_product_times_an_unknown_int": (filled("(i * j * n) % 7", "int64"), lambda: (5, 4), "unknown type"),
    "index_powers_past_int64": (
        "import numpy as np\ndef f(n, m):\n    A = np.empty((3000, 2000))\n    for i in range(3000):  # <-\n"
        "        for j in range(2000):\n            A[i, j] = (i * i * i * j * j * 10**6) % 1000003\n    return A\n",
        lambda: (0, 0), "int64"),
    "cube_of_an_unbounded_index": (filled("(j ** 3 + i) % 5", "int64"), lambda: (4, 4), "int64"),
    "int_of_a_float_would_overflow_in_numpy": (filled("int(j * 1e300) % 7 + i", "int64"), lambda: (3, 3), "int\\(\\)"),
    "forward_substitution_reads_earlier_rows": ("""
import numpy as np
def f(L, b):
    n = b.shape[0]
    x = b.copy()
    for i in range(n):  # <-
        for j in range(0, i):
            x[i] -= L[i, j] * x[j]
        x[i] = x[i] / L[i, i]
    return x
""", lambda: (grid(5, 5) + 5 * np.eye(5), R.standard_normal(5)), ""),
    "triangle_start_that_is_not_an_outer_index": ("""
import numpy as np
def f(M, s):
    n = M.shape[0]
    U = np.zeros_like(M)
    for i in range(n):  # <-
        for j in range(s - 1, n):
            U[i, j] = M[i, j]
    return U
""", lambda: (grid(4, 4), -2), "start"),
}


@pytest.mark.parametrize("name", sorted(REWRITE))
def test_index_arithmetic_and_triangles_are_rewritten(name: str) -> None:
    src, make_args, expect = REWRITE[name]
    c = check_equivalent(src, make_args)
    assert expect in c.new, c.new


@pytest.mark.parametrize("name", sorted(DECLINE))
def test_unsafe_index_arithmetic_and_triangles_are_declined(name: str) -> None:
    src, make_args, reason = DECLINE[name]
    with pytest.raises(Decline, match=reason or None):
        propose(src, make_args())  # type: ignore[operator]


def test_index_grids_are_bound_to_the_loop_variables_once() -> None:
    src = ("import numpy as np\ndef f(n, m):\n    A = np.empty((n, m))\n    B = np.empty((n, m))\n"
           "    for i in range(n):  # <-\n        for j in range(m):\n"
           "            A[i, j] = ((i * j + 1) % n) / n\n            B[i, j] = float(i + j)\n    return A, B\n")
    c = check_equivalent(src, lambda: (6, 4))
    assert "    i = np.arange(n)[:, None]\n    j = np.arange(m)\n" in c.new and c.new.count("np.arange") == 2, c.new


def test_an_index_read_after_the_loop_is_not_rebound_to_a_grid() -> None:
    src = ("import numpy as np\ndef f(n):\n    A = np.empty(n)\n    for i in range(n):  # <-\n"
           "        A[i] = i * 0.5\n    return A, i\n")
    with pytest.raises(Decline, match="read after"):
        propose(src, (5,))
