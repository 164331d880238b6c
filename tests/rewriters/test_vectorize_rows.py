"""vectorize on loops whose body works on whole rows: `A[i]`/`A[i, :]` reduced (`np.dot`, `.sum()`,
`np.linalg.norm`, ...), combined with loop-invariant arrays and written back as rows. Each table case
is rewritten into code that gives the loop's results, or declined with the reason expected."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optadvise.rewriters.base import Decline
from tests.rewriters.test_vectorize import check_equivalent, propose

R = np.random.default_rng(11)


def m(h: int, w: int) -> np.ndarray:
    return R.standard_normal((h, w))


def v(n: int) -> np.ndarray:
    return R.standard_normal(n)


ROW_DOT = """
import numpy as np
def f(A, x):
    out = np.zeros(A.shape[0])
    for i in range(A.shape[0]):  # <-
        out[i] = np.dot(A[i], x)
    return out
"""

# name: (source, args factory (None: a module-level script setting `result`), a line the rewrite must contain)
REWRITE: dict[str, tuple[str, object, str]] = {
    "row_dot_is_a_matrix_vector_product": (ROW_DOT, lambda: (m(6, 4), v(4)), "out[:] = A @ x"),
    "row_matmul_operator_with_the_vector_first": ("""
import numpy as np
def f(A, w):
    out = np.empty(len(A))
    for i in range(len(A)):  # <-
        out[i] = w @ A[i]
    return out
""", lambda: (m(5, 3), v(3)), "A @ w"),
    "row_sum_of_a_full_slice": ("""
import numpy as np
def f(A):
    out = np.zeros(A.shape[0])
    for i in range(A.shape[0]):  # <-
        out[i] = A[i, :].sum()
    return out
""", lambda: (m(5, 3),), "np.sum(A, axis=-1)"),
    "row_extremes_mean_and_product": ("""
import numpy as np
def f(A):
    out = np.zeros(A.shape[0])
    for i in range(A.shape[0]):  # <-
        out[i] = np.max(A[i]) - A[i].min() + np.mean(A[i]) * np.prod(A[i])
    return out
""", lambda: (m(5, 4),), "np.prod(A, axis=-1)"),
    "integer_row_sums_are_exact": ("""
import numpy as np
def f(A):
    out = np.zeros(A.shape[0], dtype=np.int64)
    for i in range(A.shape[0]):  # <-
        out[i] = A[i].sum()
    return out
""", lambda: (R.integers(-50, 50, (6, 5)),), "np.sum(A, axis=-1)"),
    "pairwise_norms": ("""
import numpy as np
def f(X):
    n = X.shape[0]
    D = np.zeros((n, n))
    for i in range(n):  # <-
        for j in range(n):
            D[i, j] = np.linalg.norm(X[i] - X[j])
    return D
""", lambda: (m(6, 3),), "np.linalg.norm(X[:, None, :] - X, axis=-1)"),
    "pairwise_dot_products_of_two_sets": ("""
import numpy as np
def f(X, Y):
    G = np.empty((X.shape[0], Y.shape[0]))
    for i in range(X.shape[0]):  # <-
        for j in range(Y.shape[0]):
            G[i, j] = np.dot(X[i], Y[j]) + 1.0
    return G
""", lambda: (m(4, 3), m(5, 3)), "einsum"),
    "row_mean_centering": ("""
import numpy as np
def f(A):
    B = np.empty_like(A)
    for i in range(A.shape[0]):  # <-
        B[i, :] = A[i, :] - A[i, :].mean()
    return B
""", lambda: (m(5, 4),), "B[:] = A - np.mean(A, axis=-1)[..., None]"),
    "row_normalised_by_its_sum": ("""
import numpy as np
def f(A):
    B = np.zeros(A.shape)
    for i in range(len(A)):  # <-
        B[i] = A[i] / A[i].sum()
    return B
""", lambda: (np.abs(m(5, 4)) + 0.1,), "[..., None]"),
    "softmax_through_a_temporary": ("""
import numpy as np
def f(Z):
    P = np.empty_like(Z)
    for i in range(Z.shape[0]):  # <-
        e = np.exp(Z[i] - Z[i].max())
        P[i] = e / e.sum()
    return P
""", lambda: (4.0 * m(6, 5),), "e = np.exp(Z - np.max(Z, axis=-1)[..., None])"),
    "softmax_in_one_expression": ("""
import numpy as np
def f(Z):
    P = np.empty_like(Z)
    for i in range(Z.shape[0]):  # <-
        P[i, :] = np.exp(Z[i] - np.max(Z[i])) / np.sum(np.exp(Z[i] - np.max(Z[i])))
    return P
""", lambda: (4.0 * m(6, 5),), "np.exp(Z - np.max(Z, axis=-1)[..., None])"),
    "row_combined_with_an_invariant_vector": ("""
import numpy as np
def f(A, mu, s):
    B = np.empty_like(A)
    for i in range(A.shape[0]):  # <-
        B[i] = (A[i] - mu) * s + 2.0 * mu
    return B
""", lambda: (m(5, 3), v(3), 0.5), "B[:] = (A - mu) * s + 2.0 * mu"),
    "weighted_row_sums_accumulated": ("""
import numpy as np
def f(A, w):
    total = 0.0
    for i in range(A.shape[0]):  # <-
        total += np.dot(A[i], w)
    return total
""", lambda: (m(6, 4), v(4)), "A @ w"),
    "rows_of_a_3d_array": ("""
import numpy as np
def f(T):
    n, p, k = T.shape
    S = np.empty((n, p))
    for i in range(n):  # <-
        for j in range(p):
            S[i, j] = T[i, j].sum() - np.linalg.norm(T[i, j])
    return S
""", lambda: (R.standard_normal((3, 4, 5)),), "np.sum(T, axis=-1)"),
    "rows_bound_by_iterating_the_array": ("""
import numpy as np
def f(A):
    out = []
    for row in A:  # <-
        out.append(row.max())
    return out
""", lambda: (m(5, 3),), "np.max(A, axis=-1)"),
    "row_of_a_parameter_written_to_a_parameter": ("""
import numpy as np
def f(A, out):
    for i in range(A.shape[0]):  # <-
        out[i] = A[i].sum()
    return out
""", lambda: (m(5, 3), np.zeros(5)), "may_share_memory"),
    "row_updated_in_place_from_itself": ("""
import numpy as np
def f(A):
    for i in range(A.shape[0]):  # <-
        A[i, :] = A[i, :] - A[i, :].mean()
    return A
""", lambda: (m(5, 3),), "A[:] = A - np.mean(A, axis=-1)[..., None]"),
    "rows_at_offsets_over_part_of_the_range": ("""
import numpy as np
def f(A, x):
    n = A.shape[0]
    out = np.zeros(n)
    for i in range(1, n - 1):  # <-
        out[i] = np.dot(A[i + 1], x) - A[i - 1].sum()
    return out
""", lambda: (m(6, 3), v(3)), "A[2:n, :] @ x - np.sum(A[:n - 2, :], axis=-1)"),
    "difference_row_in_a_temporary_dotted_with_itself": ("""
import numpy as np
def f(X):
    n = X.shape[0]
    D = np.zeros((n, n))
    for i in range(n):  # <-
        for j in range(n):
            d = X[i] - X[j]
            D[i, j] = np.sqrt(d @ d)
    return D
""", lambda: (m(5, 3),), "einsum('...k,...k->...', d, d)"),
    "whole_rows_chosen_per_iteration": ("""
import numpy as np
def f(A, C, a):
    B = np.empty_like(A)
    for i in range(A.shape[0]):  # <-
        B[i] = (A[i] if a[i] > 0 else C[i]) * a[i] + np.where(A[i] > 0, A[i], 0.0)
    return B
""", lambda: (m(5, 3), m(5, 3), v(5)), "[..., None]"),
    "pairwise_distances_in_a_module_script": ("""
import numpy as np
rng = np.random.default_rng(0)
pts = rng.random((30, 3))
n = pts.shape[0]
dist = np.zeros((n, n))
for a in range(n):  # <-
    for b in range(n):
        dist[a, b] = np.sqrt(np.sum((pts[a] - pts[b]) ** 2))
result = dist
""", None, "np.sum((pts[:, None, :] - pts) ** 2, axis=-1)"),
}

# name: (source, args factory, a fragment of the reason)
DECLINE: dict[str, tuple[str, object, str]] = {
    "recurrence_over_rows": ("""
import numpy as np
def f(A):
    for i in range(1, A.shape[0]):  # <-
        A[i, :] = A[i, :] - A[i - 1, :]
    return A
""", lambda: (m(5, 3),), "recurrence"),
    "sorting_a_row": ("""
import numpy as np
def f(A):
    B = np.empty_like(A)
    for i in range(A.shape[0]):  # <-
        B[i] = np.sort(A[i])
    return B
""", lambda: (m(5, 3),), "np.sort"),
    "cumulative_sum_of_a_row": ("""
import numpy as np
def f(A):
    B = np.empty_like(A)
    for i in range(A.shape[0]):  # <-
        B[i] = np.cumsum(A[i])
    return B
""", lambda: (m(5, 3),), "np.cumsum"),
    "norm_with_an_order": ("""
import numpy as np
def f(A):
    out = np.zeros(A.shape[0])
    for i in range(A.shape[0]):  # <-
        out[i] = np.linalg.norm(A[i], ord=1)
    return out
""", lambda: (m(5, 3),), "`ord`/`axis`"),
    "sum_along_an_axis": ("""
import numpy as np
def f(A):
    out = np.zeros(A.shape[0])
    for i in range(A.shape[0]):  # <-
        out[i] = np.sum(A[i], axis=0)
    return out
""", lambda: (m(5, 3),), "axis or other arguments"),
    "rows_of_a_python_list": ("""
import numpy as np
def f(L, x):
    out = np.zeros(len(L))
    for i in range(len(L)):  # <-
        out[i] = np.dot(L[i], x)
    return out
""", lambda: (m(5, 3).tolist(), v(3)), "`L` is a list"),
    "row_written_to_an_element": ("""
import numpy as np
def f(A):
    out = np.zeros(A.shape[0])
    for i in range(A.shape[0]):  # <-
        out[i] = A[i] * 2.0
    return out
""", lambda: (m(5, 3),), "whole row where one element is expected"),
    "element_spread_over_a_row": ("""
import numpy as np
def f(A, a):
    B = np.empty_like(A)
    for i in range(A.shape[0]):  # <-
        B[i, :] = a[i] * 2.0
    return B
""", lambda: (m(5, 3), v(5)), "given a value with 0"),
    "rows_accumulated_into_a_vector": ("""
import numpy as np
def f(A):
    s = np.zeros(A.shape[1])
    for i in range(A.shape[0]):  # <-
        s += A[i]
    return s
""", lambda: (m(5, 3),), "whole row"),
    "partial_row_slice": ("""
import numpy as np
def f(A):
    out = np.zeros(A.shape[0])
    for i in range(A.shape[0]):  # <-
        out[i] = A[i, 1:3].sum()
    return out
""", lambda: (m(5, 4),), "slice inside the loop"),
    "builtin_max_of_two_rows": ("""
import numpy as np
def f(A, x):
    B = np.empty_like(A)
    for i in range(A.shape[0]):  # <-
        B[i] = max(A[i], x)
    return B
""", lambda: (m(5, 3), v(3)), "on a whole row"),
    "row_read_while_one_element_is_written": ("""
import numpy as np
def f(A):
    for i in range(A.shape[0]):  # <-
        A[i, 0] = A[i].sum()
    return A
""", lambda: (m(5, 3),), "different fixed indices"),
    "row_as_a_condition": ("""
import numpy as np
def f(A):
    out = np.zeros(A.shape[0])
    for i in range(A.shape[0]):  # <-
        out[i] = 1.0 if A[i] > 0 else 0.0
    return out
""", lambda: (m(5, 1),), "whole row"),
    "attribute_of_an_invariant_array_beside_rows": ("""
import numpy as np
def f(A, a, x):
    B = np.empty_like(A)
    for i in range(A.shape[0]):  # <-
        B[i] = A[i] - a[i] * x.T
    return B
""", lambda: (m(3, 3), v(3), v(3)), "`x.T`"),
    "dot_of_a_row_and_a_matrix": ("""
import numpy as np
def f(A, M):
    B = np.empty_like(A)
    for i in range(A.shape[0]):  # <-
        B[i] = np.dot(A[i], M)
    return B
""", lambda: (m(5, 3), m(3, 3)), "not a 1-D row"),
}


@pytest.mark.parametrize("name", sorted(REWRITE))
def test_row_loops_are_rewritten_to_whole_array_code(name: str) -> None:
    src, make_args, line = REWRITE[name]
    c = check_equivalent(src, make_args)
    assert line in c.new, c.new


@pytest.mark.parametrize("name", sorted(DECLINE))
def test_unsafe_row_loops_are_declined(name: str) -> None:
    src, make_args, reason = DECLINE[name]
    with pytest.raises(Decline, match=re.escape(reason)):
        propose(src, make_args())  # type: ignore[operator]


def test_a_reduction_reassociates_so_the_tolerance_says_so() -> None:
    assert check_equivalent(ROW_DOT, lambda: (m(6, 4), v(4))).rtol >= 1e-7


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(["np.sum({})", "{}.mean()", "np.max({})", "{}.min()", "np.linalg.norm({})",
                        "np.dot({}, x)", "{} @ {}"]),
       st.sampled_from(["A[i]", "A[i, :]", "(A[i] - x)", "np.abs(A[i] * 2.0 - x)"]),
       st.integers(1, 6), st.integers(1, 5))
def test_row_reductions_equal_the_loop(reduction: str, row: str, n: int, k: int) -> None:
    src = ("import numpy as np\ndef f(A, x):\n    out = np.zeros(A.shape[0])\n"
           f"    for i in range(A.shape[0]):  # <-\n        out[i] = {reduction.format(row, row)} + 1.0\n"
           "    return out\n")
    check_equivalent(src, lambda: (R.standard_normal((n, k)), R.standard_normal(k)))
