"""Random streams: a candidate must draw the same numbers in the same order, or it is rejected."""

import pytest

from optadvise.verify import Verifier

from .helpers import edit, listing, write

pytestmark = pytest.mark.slow

SCRIPT = '''
import numpy as np


def noise(n):
    out = np.empty(n)
    for i in range(n):
        out[i] = np.random.random()
    return out


def walk(rng, n):
    pos = 0.0
    steps = np.empty(n)
    for i in range(n):
        pos += rng.normal()
        steps[i] = pos
    return steps


np.random.seed(11)
rng = np.random.default_rng(5)
a = noise(5000)
b = walk(rng, 5000)
print(f"noise {a.sum():.10f} walk {b[-1]:.10f} next {rng.random():.10f} {np.random.random():.10f}")
'''
NOISE = "    out = np.empty(n)\n    for i in range(n):\n        out[i] = np.random.random()\n    return out"
WALK = ("    pos = 0.0\n    steps = np.empty(n)\n    for i in range(n):\n        pos += rng.normal()\n"
        "        steps[i] = pos\n    return steps")


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    d = tmp_path_factory.mktemp("rand")
    write(str(d), "slow.py", SCRIPT)
    before = listing(str(d))
    with Verifier("slow.py", [], timeout=60, cwd=str(d), runs=1) as v:
        yield d, v, before


@pytest.mark.parametrize("function,pairs", [
    ("noise", [(NOISE, "    return np.random.random(n)")]),  # same global stream, same order
    ("walk", [(WALK, "    return np.cumsum(rng.normal(size=n))")]),  # same generator stream
])
def test_same_stream_is_equivalent(setup, function, pairs):
    d, v, before = setup
    verdict = v.verify(edit((d / "slow.py").read_text(), *pairs, function=function, rtol=1e-9), min_speedup=1.0)
    assert "script-output" in verdict.checks and any(c.startswith("function:") for c in verdict.checks), \
        verdict.reason
    assert listing(str(d)) == before


@pytest.mark.parametrize("function,pairs,expect", [
    ("noise", [(NOISE, "    return np.random.random(n + 1)[1:]")], "differ"),  # skips a draw
    # reversed: the last sum agrees, the steps do not
    ("walk", [(WALK, "    return np.cumsum(rng.standard_normal(n)[::-1])")], "differ"),
    ("walk", [(WALK, "    rng = np.random.default_rng(5)\n    return np.cumsum(rng.normal(size=n))")],
     "numbers differ"),  # its own generator: the caller's stream is not advanced
])
def test_different_stream_is_rejected(setup, function, pairs, expect):
    d, v, before = setup
    verdict = v.verify(edit((d / "slow.py").read_text(), *pairs, function=function), min_speedup=1.0)
    assert not verdict.accepted and expect in verdict.reason, verdict.reason
    assert listing(str(d)) == before
