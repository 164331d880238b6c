"""vectorize on chained indexing: `A[i][j]` on an ndarray is the access `A[i, j]`; on a list of lists
(which the profile records as a list) it is not an array access and the loop is declined."""

from __future__ import annotations

import pytest

from optadvise.rewriters.base import Decline
from tests.rewriters.loop_cases import f8, m8
from tests.rewriters.test_vectorize import check_equivalent, propose

SRC = """
import numpy as np
def f(field, wx, wy):
    ny = len(field)
    nx = len(field[0])
    out = np.zeros((ny, nx))
    for i in range(ny):  # <-
        for j in range(nx):
            out[i][j] = field[i][j] * wy[i] * wx[j] + 1.0
    return out
"""


def test_chained_indexing_of_an_array_is_vectorised() -> None:
    c = check_equivalent(SRC, lambda: (m8(5, 6), f8(6), f8(5)))
    assert "field[:, :nx] * wy[:ny, None] * wx[:nx]" in c.new


def test_chained_indexing_of_a_list_of_lists_is_declined() -> None:
    with pytest.raises(Decline):
        propose(SRC, (m8(5, 6).tolist(), f8(6), f8(5)))
