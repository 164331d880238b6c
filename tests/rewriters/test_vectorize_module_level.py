"""vectorize on module-level loops: a later loop or comprehension that rebinds the loop variable is a
write, not a read of the value the loop left; a read after it (or after the loop) still declines."""

from __future__ import annotations

import pytest

from optadvise.rewriters.base import Decline
from tests.rewriters.test_vectorize import check_equivalent, propose

HEAD = """
import numpy as np
a = np.linspace(0.0, 1.0, 50)
out = np.empty_like(a)
for k in range(len(a)):  # <-
    out[k] = a[k] * 2.0 + 1.0
"""

CASES: dict[str, tuple[str, str]] = {
    "later_loop_rebinds": ("ok", HEAD + """
total = 0.0
for k in range(3):
    total += out[k] * k
result = (out, total)
"""),
    "later_comprehension_rebinds": ("ok", HEAD + """
firsts = [out[k] for k in range(3)]
result = (out, firsts)
"""),
    "later_nested_loop_rebinds": ("ok", HEAD + """
acc = 0.0
for j in range(2):
    for k in range(2):
        acc += out[j + k]
result = (out, acc)
"""),
    "read_after_the_loop": ("no", HEAD + """
result = (out, k)
"""),
    "read_after_a_later_loop_that_may_not_run": ("no", HEAD + """
for k in range(0):
    pass
result = (out, k)
"""),
    "read_in_the_later_loop_header": ("no", HEAD + """
for k in range(k):
    pass
result = out
"""),
}


@pytest.mark.parametrize("name", [k for k, v in CASES.items() if v[0] == "ok"])
def test_module_loops_with_a_rebound_variable_are_rewritten(name: str) -> None:
    check_equivalent(CASES[name][1], None)


@pytest.mark.parametrize("name", [k for k, v in CASES.items() if v[0] == "no"])
def test_module_loops_whose_variable_is_read_later_are_declined(name: str) -> None:
    with pytest.raises(Decline, match="read after it"):
        propose(CASES[name][1], None)


def test_a_comprehension_reading_the_variable_in_its_first_iterable_is_a_read() -> None:
    src = HEAD + "\nfirsts = [out[j] for j in range(k)]\nresult = (out, firsts)\n"
    with pytest.raises(Decline, match="read after it"):
        propose(src, None)
