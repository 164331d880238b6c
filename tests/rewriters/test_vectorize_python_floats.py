"""vectorize on Python floats (math.* results) raised to powers: a non-negative integer literal
exponent never makes a complex number and is rewritten; any other exponent of a Python float declines
(a negative base to a fractional power is complex in Python and NaN in NumPy)."""

from __future__ import annotations

import numpy as np
import pytest

from optadvise.rewriters.base import Decline
from tests.rewriters.test_vectorize import check_equivalent, propose

R = np.random.default_rng(4)

SQUARED = """
import math
import numpy as np
def f(x):
    out = np.empty_like(x)
    for i, xi in enumerate(x):  # <-
        out[i] = math.sin(xi) ** 2 + math.cos(xi) ** 3
    return out
"""

ROOTED = """
import math
import numpy as np
def f(x):
    out = np.empty_like(x)
    for i in range(x.shape[0]):  # <-
        out[i] = math.sin(x[i]) ** 0.5
    return out
"""


def test_integer_power_of_a_python_float_is_rewritten() -> None:
    c = check_equivalent(SQUARED, lambda: (R.standard_normal(9),))
    assert "np.sin(x) ** 2 + np.cos(x) ** 3" in c.new, c.new


def test_fractional_power_of_a_python_float_is_declined() -> None:
    with pytest.raises(Decline, match="complex"):
        propose(ROOTED, (R.standard_normal(9),))
