"""vectorize on loops that call one-expression helper functions of the same file (`loops/inline`): the
helper is translated in place with its parameters bound to the call's arguments; helpers whose names
the caller rebinds, recursive ones and ones with defaults decline."""

from __future__ import annotations

import numpy as np
import pytest

from optadvise.rewriters.base import Decline
from tests.rewriters.test_vectorize import check_equivalent, propose

R = np.random.default_rng(3)

# name: (source, args factory, a line the rewrite must contain)
REWRITE: dict[str, tuple[str, object, str]] = {
    "pair_potential_through_two_helpers": ("""
import numpy as np
SIGMA = 1.0
def lj(r2, eps):
    \"\"\"Lennard-Jones energy at squared distance r2.\"\"\"
    return 4.0 * eps * ((SIGMA * SIGMA / r2) ** 6 - (SIGMA * SIGMA / r2) ** 3)
def sq(x):
    return x * x
def f(P, eps):
    n = P.shape[0]
    E = np.zeros((n, n))
    for i in range(n):  # <-
        for j in range(n):
            if i != j:
                E[i, j] = lj(sq(P[i, 0] - P[j, 0]) + sq(P[i, 1] - P[j, 1]), eps)
    return E
""", lambda: (R.random((6, 2)), 0.5), "E[:] = np.where(i != j, 4.0 * eps"),
    "helper_of_a_loop_invariant_argument_stays_a_call": ("""
import math
import numpy as np
def gauss(x, s):
    return math.exp(-0.5 * (x / s) ** 2)
def f(a, s):
    out = np.empty_like(a)
    for i in range(a.shape[0]):  # <-
        out[i] = a[i] * gauss(1.0, s) + gauss(a[i], s)
    return out
""", lambda: (R.standard_normal(7), 0.8), "a * gauss(1.0, s) + np.exp((-0.5) * (a / s) ** 2)"),
}

DECLINE: dict[str, tuple[str, object, str]] = {
    "helper_reads_a_global_the_caller_shadows": ("""
import numpy as np
scale = 2.0
def scaled(x):
    return x * scale
def f(a):
    scale = 3.0
    out = np.empty_like(a)
    for i in range(a.shape[0]):  # <-
        out[i] = scaled(a[i]) + scale
    return out
""", lambda: (R.standard_normal(5),), "binds"),
    "recursive_helper": ("""
import numpy as np
def down(x):
    return down(x - 1.0)
def f(a):
    out = np.empty_like(a)
    for i in range(a.shape[0]):  # <-
        out[i] = down(a[i])
    return out
""", lambda: (R.standard_normal(5),), "too deeply"),
    "helper_with_a_default_argument": ("""
import numpy as np
def shift(x, by=1.0):
    return x + by
def f(a):
    out = np.empty_like(a)
    for i in range(a.shape[0]):  # <-
        out[i] = shift(a[i])
    return out
""", lambda: (R.standard_normal(5),), "side effects"),
    "helper_reads_a_name_the_loop_rebinds": ("""
import numpy as np
level = 0.0
def above(x):
    return x - level
def f(a):
    global level
    out = np.empty_like(a)
    for i in range(a.shape[0]):  # <-
        level = a[i] * 0.5
        out[i] = above(a[i])
    return out
""", lambda: (R.standard_normal(5),), "rebinds"),
}


@pytest.mark.parametrize("name", sorted(REWRITE))
def test_loops_calling_helpers_are_rewritten(name: str) -> None:
    src, make_args, expect = REWRITE[name]
    c = check_equivalent(src, make_args)
    assert expect in c.new, c.new


@pytest.mark.parametrize("name", sorted(DECLINE))
def test_unsafe_helper_calls_are_declined(name: str) -> None:
    src, make_args, reason = DECLINE[name]
    with pytest.raises(Decline, match=reason or None):
        propose(src, make_args())  # type: ignore[operator]
