"""vectorize on nests with a scratch array private to the iterations of the loops around them
(doitgen: `total[p]` filled per (r, q), then copied back): expanded by those loops' axes, the nests
vectorise over them too. A scratch array read before it is filled, or after the loops, is not
private: the loops around stay. Each table case is rewritten into code that gives the loop's results."""

from __future__ import annotations

import numpy as np
import pytest

from tests.rewriters.test_vectorize import check_equivalent

R = np.random.default_rng(13)

DOITGEN = """
import numpy as np
def f(A, W):
    nr, nq, np_ = A.shape
    total = np.zeros(np_)
    for r in range(nr):  # <-
        for q in range(nq):
            for p in range(np_):
                total[p] = 0.0
                for s in range(np_):
                    total[p] += A[r, q, s] * W[s, p]
            for p in range(np_):
                A[r, q, p] = total[p]
    return A
"""


def args() -> tuple[np.ndarray, np.ndarray]:
    return R.standard_normal((3, 4, 5)), R.standard_normal((5, 5))


# name: (source, text the rewrite contains, text it must not contain)
CASES: dict[str, tuple[str, str, str]] = {
    "doitgen_scratch_row_is_private": (DOITGEN, "total_rq[:] = np.einsum('abd,dc->abc', A, W[:np_, :np_]",
                                       "\n    for r in"),
    "scratch_row_of_a_single_kept_loop": ("""
import numpy as np
def f(A, W):
    nr, nq, np_ = A.shape
    row = np.empty(nq)
    out = np.zeros((nr, nq))
    for r in range(nr):  # <-
        for q in range(nq):
            row[q] = 2.0 * A[r, q, 0]
        for q in range(nq):
            out[r, q] = row[q] + 1.0
    return out
""", "row_r = np.empty((nr,) + row.shape, dtype=row.dtype)", "\n    for r in"),
    "scratch_read_after_the_loops_is_not_private": (DOITGEN.replace("return A", "return A, total"),
                                                    "for q in range(nq):", "total_rq"),
    "scratch_read_before_it_is_filled_is_not_private": (
        DOITGEN.replace("                total[p] = 0.0\n", ""), "for q in range(nq):", "total_rq"),
    "scratch_filled_under_a_condition_is_not_private": (DOITGEN.replace(
        "            for p in range(np_):\n                total[p] = 0.0\n",
        "            if r > 0:\n                for p in range(np_):\n                    total[p] = 0.0\n"
        "            for p in range(np_):\n                total[p] += 0.0\n"), "", "total_rq"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_private_scratch_arrays_are_expanded_and_others_keep_their_loops(name: str) -> None:
    src, has, lacks = CASES[name]
    c = check_equivalent(src, args)
    assert has in c.new and lacks not in c.new, c.new
