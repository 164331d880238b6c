"""Property: for generated element-wise/reduction/stencil loops, the vectorized candidate computes what
the loop computes on random arrays (or the rewriter declines)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from optadvise.rewriters.base import Decline
from tests.rewriters.test_vectorize import propose, run, same

LEAVES = ["a[i]", "b[i]", "c", "2.5", "a[i + 1]", "b[i - 1]", "i"]
UNARY = ["math.sin({})", "math.cos({})", "math.sqrt(abs({}))", "abs({})", "math.tanh({})", "-({})"]
BINARY = ["({}) + ({})", "({}) - ({})", "({}) * ({})", "min({}, {})", "max({}, {})",
          "({}) if ({}) > 0.3 else -1.0", "({}) ** 2 + ({})"]


def exprs(depth: int) -> st.SearchStrategy[str]:
    if depth == 0:
        return st.sampled_from(LEAVES)
    sub = exprs(depth - 1)
    return st.one_of(
        st.sampled_from(LEAVES),
        st.tuples(st.sampled_from(UNARY), sub).map(lambda t: t[0].format(t[1])),
        st.tuples(st.sampled_from(BINARY), sub, sub).map(lambda t: t[0].format(t[1], t[2])),
    )


SHAPES = {
    "map": "    out = np.zeros(len(a))\n    for i in range(1, len(a) - 1):  # <-\n        out[i] = {e}\n    return out\n",
    "sum": "    s = 0.25\n    for i in range(1, len(a) - 1):  # <-\n        s += {e}\n    return s\n",
    "count": "    k = 0\n    for i in range(1, len(a) - 1):  # <-\n        if {e} > 0.1:\n            k += 1\n    return k\n",
    "max": "    m = -1e300\n    for i in range(1, len(a) - 1):  # <-\n        m = max(m, {e})\n    return m\n",
    "temp": "    out = np.empty(len(a))\n    for i in range(1, len(a) - 1):  # <-\n        t = {e}\n"
            "        out[i] = t * t if t < 0.5 else t\n    return out[1:-1]\n",
    "inplace": "    for i in range(len(a) - 1):  # <-\n        b[i] = {e}\n    return b\n",
}


@settings(max_examples=40, deadline=None)
@given(shape=st.sampled_from(sorted(SHAPES)), e=exprs(3), n=st.integers(0, 12), seed=st.integers(0, 2**16))
def test_vectorized_equals_loop(shape: str, e: str, n: int, seed: int) -> None:
    src = "import math\nimport numpy as np\ndef f(a, b, c):\n" + SHAPES[shape].format(e=e)
    rng = np.random.default_rng(seed)
    args = (rng.standard_normal(n), rng.standard_normal(n), float(rng.standard_normal()))
    try:
        cands = propose(src, args)
    except Decline:
        return
    c = cands[0]
    compile(c.new, "<candidate>", "exec")
    try:
        r1, a1 = run(src, args)
    except (ValueError, OverflowError, ZeroDivisionError):
        return  # the loop itself fails on these inputs
    r2, a2 = run(c.new, args)
    assert same(r1, r2, max(c.rtol, 1e-9)), f"{r1!r} != {r2!r}\n{src}\n{c.new}"
    for x, y in zip(a1, a2):
        assert same(x, y, c.rtol), f"{x!r} != {y!r}\n{c.new}"
