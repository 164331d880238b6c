"""vectorize on comprehensions and generator expressions over arrays: each case is rewritten into code
that gives the same results (values and element types), or declined when it must be."""

from __future__ import annotations

import pytest

from optadvise.rewriters.base import Decline
from tests.rewriters.loop_cases import f8, ints
from tests.rewriters.test_vectorize import check_equivalent, propose

# name: (expect, source, args factory); the comprehension's line is marked `# <-`
CASES: dict[str, tuple[str, str, object]] = {
    "genexpr_sum_of_squares": ("ok", """
def f(a):
    return sum(x * x for x in a)  # <-
""", lambda: (f8(50),)),
    "listcomp_sum_math": ("ok", """
import math
def f(a):
    return sum([math.sqrt(abs(x)) for x in a])  # <-
""", lambda: (f8(50),)),
    "zip_listcomp_kept_as_list": ("ok", """
def f(a, b):
    out = [x + 2.0 * y for x, y in zip(a, b)]  # <-
    return out
""", lambda: (f8(40), f8(40))),
    "zip_unequal_lengths": ("ok", """
def f(a, b):
    out = [x - y for x, y in zip(a, b)]  # <-
    return out
""", lambda: (f8(40), f8(1))),
    "list_used_as_array_later": ("ok", """
import numpy as np
def f(a, b):
    c = [x + y for x, y in zip(a, b)]  # <-
    d = [1.8 * v + 32.0 for v in c]
    return np.array(d), len(c)
""", lambda: (f8(40), f8(40))),
    "np_array_of_listcomp": ("ok", """
import math
import numpy as np
def f(a):
    return np.array([math.exp(-v) * 2.0 for v in a])  # <-
""", lambda: (f8(30),)),
    "python_floats_stay_python_floats": ("ok", """
import math
def f(a):
    vals = [math.sqrt(abs(v)) for v in a]  # <-
    return vals
""", lambda: (f8(30),)),
    "range_index_listcomp": ("ok", """
def f(a, b):
    return [a[i] * b[i] for i in range(len(a))]  # <-
""", lambda: (f8(30), f8(30))),
    "module_level_genexpr": ("ok", """
import numpy as np
signal = np.linspace(-1.0, 1.0, 101)
result = sum(s * s for s in signal)  # <-
""", None),
    "int_sum_overflow": ("no", """
def f(a):
    return sum(i * i for i in range(len(a)))  # <-
""", lambda: (f8(30),)),
    "int8_sum": ("no", """
def f(a):
    return sum(x * x for x in a)  # <-
""", lambda: (ints("int8", 30),)),
    "filtered": ("no", """
def f(a):
    return sum(x for x in a if x > 0)  # <-
""", lambda: (f8(30),)),
    "generator_to_max": ("no", """
def f(a):
    return max(x * 2.0 for x in a)  # <-
""", lambda: (f8(30),)),
    "impure_call": ("no", """
def f(a):
    seen = []
    return [seen.append(x) or x for x in a]  # <-
""", lambda: (f8(30),)),
    "constant_element": ("no", """
def f(a):
    return [0.0 for x in a]  # <-
""", lambda: (f8(30),)),
}


@pytest.mark.parametrize("name", [k for k, v in CASES.items() if v[0] == "ok"])
def test_comprehensions_give_the_same_results(name: str) -> None:
    _, src, make_args = CASES[name]
    check_equivalent(src, make_args)


@pytest.mark.parametrize("name", [k for k, v in CASES.items() if v[0] == "no"])
def test_unsafe_comprehensions_are_declined(name: str) -> None:
    _, src, make_args = CASES[name]
    with pytest.raises(Decline):
        propose(src, make_args() if make_args else None)


def test_a_list_only_read_as_an_array_becomes_the_array() -> None:
    _, src, make_args = CASES["list_used_as_array_later"]
    new = propose(src, make_args())[0].new
    assert "c = a[:min(len(a), len(b))] + b[:min(len(a), len(b))]" in new


def test_a_list_used_as_a_list_keeps_its_type() -> None:
    _, src, make_args = CASES["zip_listcomp_kept_as_list"]
    c = check_equivalent(src, make_args)
    assert "out = list(" in c.new
