"""vectorize on loop nests: contractions (`@`, `np.einsum`), fission of a loop body into nests that
keep the loops around them, and the run-time guard against arrays that share memory. Each table case
is rewritten into code that gives the loop's results, or declined."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optadvise.rewriters.base import Decline
from tests.rewriters.test_vectorize import check_equivalent, propose, run, same

R = np.random.default_rng(7)


def m(h: int, w: int) -> np.ndarray:
    return R.standard_normal((h, w))


GEMM = """
import numpy as np
def f(alpha, beta, C, A, B):
    ni, nj = C.shape
    nk = A.shape[1]
    for i in range(ni):  # <-
        for j in range(nj):
            C[i, j] *= beta
        for k in range(nk):
            for j in range(nj):
                C[i, j] += alpha * A[i, k] * B[k, j]
    return C
"""

# name: (source, args factory, a line the rewrite must contain)
REWRITE: dict[str, tuple[str, object, str]] = {
    "gemm_scaled_then_accumulated": (GEMM, lambda: (1.5, 1.2, m(4, 5), m(4, 3), m(3, 5)), "C += alpha * A"),
    "gemv_after_scaling_the_row": ("""
import numpy as np
def f(A, x, y, beta):
    n, p = A.shape
    for i in range(n):  # <-
        y[i] = beta * y[i]
        for j in range(p):
            y[i] += A[i, j] * x[j]
    return y
""", lambda: (m(5, 4), R.standard_normal(4), R.standard_normal(5), 0.5), "@ x"),
    "residual_after_an_inner_dot_product": ("""
import numpy as np
def f(x, y, w, coef, bias):
    n, p = x.shape
    loss = 0.0
    for i in range(n):  # <-
        pred = bias
        for j in range(p):
            pred += x[i, j] * coef[j]
        r = y[i] - pred
        loss += w[i] * r * r
    return loss
""", lambda: (m(6, 3), R.standard_normal(6), R.standard_normal(6), R.standard_normal(3), 0.25), "x @ coef"),
    "transposed_operand": ("""
import numpy as np
def f(A, t):
    m_, n = A.shape
    y = np.zeros(n)
    for i in range(n):  # <-
        for k in range(m_):
            y[i] += A[k, i] * t[k]
    return y
""", lambda: (m(6, 4), R.standard_normal(6)), ".T @"),
    "transposed_read_is_a_view": ("""
import numpy as np
def f(A):
    n = A.shape[0]
    B = np.empty_like(A)
    for i in range(n):  # <-
        for j in range(n):
            B[i, j] = 0.5 * (A[i, j] + A[j, i])
    return B
""", lambda: (m(5, 5),), "A[:, :n].T"),
    "transposed_read_of_a_wider_matrix_with_offsets": ("""
import numpy as np
def f(A, x):
    n = A.shape[0]
    y = np.zeros((n - 1, n))
    for i in range(n - 1):  # <-
        for j in range(n):
            y[i, j] = A[j, i + 1] * x[i]
    return y
""", lambda: (m(5, 7), R.standard_normal(5)), ".T * x"),
    "three_axes_permuted": ("""
import numpy as np
def f(A):
    n = A.shape[0]
    C = np.zeros((n, n, n))
    for i in range(n):  # <-
        for j in range(n):
            for k in range(1, n):
                C[i, j, k] = A[k, i, j] * 2.0 + A[i, j, k - 1]
    return C
""", lambda: (R.standard_normal((4, 4, 4)),), ".transpose(1, 2, 0)"),
    "transposed_read_broadcast_over_a_middle_axis": ("""
import numpy as np
def f(A, B):
    n, p = A.shape
    C = np.zeros((p, 3, n))
    for i in range(p):  # <-
        for j in range(3):
            for k in range(n):
                C[i, j, k] = A[k, i] * B[j, k]
    return C
""", lambda: (m(4, 5), m(3, 4)), ".T[:, None, :]"),
    "gram_of_columns": ("""
import numpy as np
def f(X, G, alpha, beta):
    ns, nf = X.shape
    for a in range(nf):  # <-
        for b in range(nf):
            G[a, b] *= beta
            for s in range(ns):
                G[a, b] += alpha * X[s, a] * X[s, b]
    return G
""", lambda: (m(7, 4), m(4, 4), 0.1, 2.0), "G[:nf, :nf] += alpha * X.T @ X"),
    "three_index_einsum": ("""
import numpy as np
def f(A, W):
    nr, nq, npp = A.shape
    S = np.zeros((nr, nq, npp))
    for r in range(nr):  # <-
        for q in range(nq):
            for p in range(npp):
                for s in range(npp):
                    S[r, q, p] += A[r, q, s] * W[s, p]
    return S
""", lambda: (R.standard_normal((3, 4, 5)), m(5, 5)), "np.einsum('abd,dc->abc'"),
    "integer_contraction_is_exact": ("""
import numpy as np
def f(A, B):
    n, p = A.shape
    C = np.zeros((n, n), dtype=np.int64)
    for i in range(n):  # <-
        for j in range(n):
            for k in range(p):
                C[i, j] -= 3 * A[i, k] * B[k, j]
    return C
""", lambda: (R.integers(-9, 9, (4, 3)), R.integers(-9, 9, (3, 4))), "-= 3 * A @ B"),
    "scalar_accumulator_zeroed_in_the_nest": ("""
import numpy as np
def f(A, B):
    n, p = A.shape
    m_ = B.shape[1]
    C = np.empty((n, m_))
    for i in range(n):  # <-
        for j in range(m_):
            s = 0.0
            for k in range(p):
                s += A[i, k] * B[k, j]
            C[i, j] = s + A[i, 0]
    return C
""", lambda: (m(4, 3), m(3, 5)), "C[:] = A @ B"),
    "row_accumulator_broadcast_over_columns": ("""
import numpy as np
def f(A, x):
    n, p = A.shape
    out = np.zeros((n, 3))
    for i in range(n):  # <-
        for j in range(3):
            t = 1.0
            for k in range(p):
                t -= A[i, k] * x[k]
            out[i, j] = t * j
    return out
""", lambda: (m(4, 5), R.standard_normal(5)), "(A @ x[:p])[:, None]"),
    "triangle_inside_a_kept_outer_loop": ("""
import numpy as np
def f(M):
    n = M.shape[0]
    U = np.zeros_like(M)
    for i in range(n):  # <-
        for j in range(i):
            U[i, j] = 2.0 * M[i, j]
    return U
""", lambda: (m(5, 5),), "U[i, :i] = 2.0 * M[i, :i]"),
    "loop_index_reused_by_a_later_loop": ("""
import numpy as np
def f(A, B):
    n, p = A.shape
    T = np.zeros((n, n))
    for i in range(n):  # <-
        for j in range(n):
            T[i, j] = 0.0
            for k in range(p):
                T[i, j] += A[i, k] * B[k, j]
    for i in range(n):
        T[i, i] += 1.0
    return T
""", lambda: (m(4, 3), m(3, 4)), "    T[:] = A @ B"),
    "two_contractions_in_one_sweep": ("""
import numpy as np
def f(A, r, p):
    n, m_ = A.shape
    s = np.zeros(m_)
    q = np.zeros(n)
    for i in range(n):  # <-
        for j in range(m_):
            s[j] = s[j] + r[i] * A[i, j]
            q[i] = q[i] - A[i, j] * p[j]
    return s, q
""", lambda: (m(4, 5), R.standard_normal(4), R.standard_normal(5)), "q -= A @ p[:m_]"),
    "fission_would_reorder_rows_so_the_outer_loop_stays": ("""
import numpy as np
def f(b):
    n, p = b.shape
    a = np.zeros((n + 1, p))
    for i in range(n):  # <-
        for j in range(p):
            a[i, j] = b[i, j] * 2.0
        for j in range(p):
            a[i + 1, j] = a[i, j] + 1.0
    return a
""", lambda: (m(4, 3),), "    for i in range(n):  # <-\n        a[i, :] = b[i, :] * 2.0\n        for j"),
}

DECLINE: dict[str, tuple[str, object, str]] = {
    "loop_index_read_after_a_later_empty_loop": ("""
import numpy as np
def f(A):
    n = A.shape[0]
    T = np.zeros(n)
    for i in range(n):  # <-
        T[i] = 2.0 * A[i]
    for i in range(0):
        T[i] = 0.0
    return T, i
""", lambda: (R.standard_normal(4),), "read after"),
    "accumulator_read_in_its_own_sum": ("""
import numpy as np
def f(A, x):
    n, p = A.shape
    out = np.zeros(n)
    for i in range(n):  # <-
        for j in range(2):
            s = 1.0
            for k in range(p):
                s += s * A[i, k]
            out[i] = s
    return out
""", lambda: (m(4, 5), R.standard_normal(5)), ""),
    "accumulated_array_read_in_the_product": ("""
import numpy as np
def f(A):
    n = A.shape[0]
    C = np.ones((n, n))
    for i in range(n):  # <-
        for j in range(n):
            for k in range(n):
                C[i, j] += C[i, k] * A[k, j]
    return C
""", lambda: (m(4, 4),), ""),
    "float_into_integer_array": ("""
import numpy as np
def f(A, B):
    n = A.shape[0]
    C = np.zeros((n, n), dtype=np.int64)
    for i in range(n):  # <-
        for j in range(n):
            for k in range(n):
                C[i, j] += 0.5 * A[i, k] * B[k, j]
    return C
""", lambda: (R.integers(-9, 9, (4, 4)), R.integers(-9, 9, (4, 4))), "integer array"),
    "gauss_seidel_in_place": ("""
import numpy as np
def f(u):
    n = u.shape[0]
    for i in range(1, n - 1):  # <-
        for j in range(1, n - 1):
            u[i, j] = 0.25 * (u[i - 1, j] + u[i + 1, j] + u[i, j - 1] + u[i, j + 1])
    return u
""", lambda: (m(6, 6),), ""),
    "transposed_read_in_place_transpose": ("""
import numpy as np
def f(A):
    n = A.shape[0]
    for i in range(n):  # <-
        for j in range(n):
            A[i, j] = A[j, i] + 1.0
    return A
""", lambda: (m(5, 5),), "out of nest order"),
}


@pytest.mark.parametrize("name", sorted(REWRITE))
def test_nests_are_rewritten_to_whole_array_code(name: str) -> None:
    src, make_args, expect = REWRITE[name]
    c = check_equivalent(src, make_args)
    assert expect in c.new, c.new


@pytest.mark.parametrize("name", sorted(DECLINE))
def test_unsafe_nests_are_declined(name: str) -> None:
    src, make_args, reason = DECLINE[name]
    with pytest.raises(Decline, match=reason or None):
        propose(src, make_args())  # type: ignore[operator]


def test_arrays_sharing_memory_take_the_original_loop() -> None:
    c = propose(GEMM, (1.5, 1.2, m(4, 4), m(4, 4), m(4, 4)))[0]
    assert "may_share_memory" in c.new
    for new in (GEMM, c.new):
        ns: dict[str, object] = {}
        exec(compile(new, "<case>", "exec"), ns)
    a = m(4, 4)
    results = []
    for code in (GEMM, c.new):
        ns = {}
        exec(compile(code, "<case>", "exec"), ns)
        x = a.copy()
        results.append(ns["f"](1.5, 1.2, x, x, a.copy()))  # C is A: each step sees the updated C
    assert np.array_equal(results[0], results[1])


VARS = "ijk"


@settings(max_examples=30, deadline=None)
@given(out=st.sampled_from(["i", "j", "ij", "ik", "jk", ""]), x=st.permutations("ijk").map(lambda p: p[:2]),
       y=st.sampled_from(["k", "j", "kj", "jk", "ki", "i"]), sizes=st.tuples(*[st.integers(1, 4)] * 3),
       scale=st.sampled_from(["", "2.5 * "]), seed=st.integers(0, 2**16))
def test_contraction_equals_loop(out: str, x: tuple[str, ...], y: str, sizes: tuple[int, int, int],
                                 scale: str, seed: int) -> None:
    """Any index pattern of a product accumulated over a 3-deep nest: rewritten to the same result or declined."""
    n = dict(zip(VARS, sizes))
    shape = ", ".join(f"n{v}" for v in out)
    tgt = f"T[{', '.join(out)}]" if out else "T[0]"
    src = (f"import numpy as np\ndef f(X, Y):\n    ni, nj, nk = {sizes}\n"
           f"    T = np.zeros(({shape or '1'},))\n"
           "    for i in range(ni):  # <-\n        for j in range(nj):\n            for k in range(nk):\n"
           f"                {tgt} += {scale}X[{', '.join(x)}] * Y[{', '.join(y)}]\n    return T\n")
    rng = np.random.default_rng(seed)
    args = (rng.standard_normal(tuple(n[v] for v in x)), rng.standard_normal(tuple(n[v] for v in y)))
    try:
        c = propose(src, args)[0]
    except Decline:
        return
    r1, _ = run(src, args)
    r2, _ = run(c.new, args)
    assert same(r1, r2, c.rtol), f"{r1!r} != {r2!r}\n{c.new}"


@pytest.mark.parametrize("setup, header, target", [
    ("out = np.empty_like(a)", "for i in range(len(a)):", "out[:] = "),
    ("n = a.shape[0]\n    out = np.zeros(n)", "for i in range(n):", "out[:] = "),
    ("n, m = len(a), 3\n    out = np.zeros(n + 1)", "for i in range(n):", "out[:n] = "),
    ("n = a.shape[0]\n    out = np.zeros(n)\n    n = n - 1", "for i in range(n):", "out[:n] = "),
    ("out = np.zeros(len(a))\n    a = a[1:]", "for i in range(len(a)):", "out[:len(a)] = "),
])
def test_a_write_over_the_whole_allocated_array_is_written_whole(setup: str, header: str, target: str) -> None:
    src = f"import numpy as np\ndef f(a):\n    {setup}\n    {header}  # <-\n        out[i] = a[i] * 2.0\n    return out\n"
    c = check_equivalent(src, lambda: (R.standard_normal(6),))
    assert f"    {target}" in c.new, c.new


JACOBI = """
import numpy as np
def f(A, B, steps):
    n = A.shape[0]
    for t in range(steps):  # <-
        for i in range(1, n - 1):
            B[i] = 0.5 * (A[i - 1] + A[i + 1])
        for i in range(1, n - 1):
            A[i] = 0.5 * (B[i - 1] + B[i + 1])
    return A, B
"""


def test_the_aliasing_check_moves_out_of_a_time_loop_that_keeps_the_arrays() -> None:
    c = check_equivalent(JACOBI, lambda: (R.standard_normal(8), R.standard_normal(8), 3))
    assert c.new.count("may_share_memory") == 1 and "    if not np.may_share_memory(A, B):\n        for t in" in c.new
    x = R.standard_normal(8)
    results = []
    for code in (JACOBI, c.new):  # A is B: the original loop runs
        ns: dict[str, object] = {}
        exec(compile(code, "<case>", "exec"), ns)
        y = x.copy()
        results.append(ns["f"](y, y, 3)[0])  # type: ignore[operator]
    assert np.array_equal(results[0], results[1])


def test_the_aliasing_check_stays_inside_a_time_loop_that_swaps_the_arrays() -> None:
    src = JACOBI.replace("            A[i] = 0.5 * (B[i - 1] + B[i + 1])\n",
                         "            A[i] = 0.5 * (B[i - 1] + B[i + 1])\n        A, B = B, A\n")
    c = check_equivalent(src, lambda: (R.standard_normal(8), R.standard_normal(8), 3))
    assert c.new.count("may_share_memory") == 2 and "        if not np.may_share_memory(A, B):" in c.new, c.new


@pytest.mark.parametrize("body, folded", [
    ("T[i, j] = 0.0\n            for k in range(p):\n                T[i, j] += A[i, k] * B[k, j]", True),
    ("T[i, j] = 0.0\n            T[i, j] += T[i, j] * 2.0 + A[i, 0]", False),  # the sum reads the zeroed T
])
def test_a_zero_fill_then_an_accumulation_is_one_assignment(body: str, folded: bool) -> None:
    src = (f"import numpy as np\ndef f(A, B):\n    n, p = A.shape\n    T = np.ones((n, n))\n"
           f"    for i in range(n):  # <-\n        for j in range(n):\n            {body}\n    return T\n")
    c = check_equivalent(src, lambda: (m(4, 3), m(3, 4)))
    assert ("= 0.0" not in c.new) is folded, c.new


def test_a_finding_on_one_nest_of_a_time_loop_vectorises_its_siblings_under_the_one_check() -> None:
    src = JACOBI.replace("    for t in range(steps):  # <-\n        for i in range(1, n - 1):\n",
                         "    for t in range(steps):\n        for i in range(1, n - 1):  # <-\n", 1)
    c = check_equivalent(src, lambda: (R.standard_normal(8), R.standard_normal(8), 3))
    checked = c.new.split("else:")[0]
    assert c.new.count("may_share_memory") == 1 and "for i" not in checked, c.new
