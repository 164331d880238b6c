"""Deliberately wrong candidates: every one must be rejected, with a reason, and leave no trace."""

import subprocess
import sys

import pytest

from optadvise.verify import Verifier

from .helpers import edit, listing, write

pytestmark = pytest.mark.slow

SCRIPT = '''
import numpy as np


def scale(x, factor):
    total = 0.0
    for i in range(x.shape[0]):
        x[i] = x[i] * factor
        total += x[i]
    return total


def running_max(x):
    best = x[0]
    for v in x:
        if v > best:
            best = v
    return best


rng = np.random.default_rng(7)
a = rng.random(20000)
b = rng.random(20000)
s = scale(a, 2.0)
print(f"scaled sum {s:.10f}")
print(f"max {running_max(np.sort(b)):.10f}")
print(f"mix {float(np.dot(a, b)):.10f}")
np.save("out.npy", b * 3)
'''

ATTACKS = {
    "off-by-one slice": (
        [("    best = x[0]\n    for v in x:\n        if v > best:\n            best = v\n    return best",
          "    return np.max(x[:-1])")], "running_max", "numbers differ"),
    "dropped in-place update": (
        [("    total = 0.0\n    for i in range(x.shape[0]):\n        x[i] = x[i] * factor\n"
          "        total += x[i]\n    return total", "    return np.sum(x * factor)")], "scale", "numbers differ"),
    "changed random stream": (
        [("a = rng.random(20000)\nb = rng.random(20000)", "b = rng.random(20000)\na = rng.random(20000)")],
        "<module>", "numbers differ"),
    "crash": ([("    best = x[0]\n", "    return np.max(x, axis=1)\n")], "running_max", "candidate crashed: "),
    "different words": ([('f"max {', 'f"maximum {')], "<module>", "words differ"),
    "different output file": ([('np.save("out.npy"', 'np.save("out2.npy"')], "<module>", "out2.npy"),
    "different file contents": ([('b * 3)', 'b * 3.001)')], "<module>", "file out.npy differs"),
    # seconds of sleep: slower by far more than any machine load can hide
    "slower": ([("import numpy as np\n", "import time\n\nimport numpy as np\n"),
                ("s = scale(a, 2.0)\n", "s = scale(a, 2.0)\ntime.sleep(2.0)\n")], "<module>", "slower"),
}


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    d = tmp_path_factory.mktemp("attack")
    write(str(d), "slow.py", SCRIPT)
    subprocess.run([sys.executable, "slow.py"], cwd=d, check=True, capture_output=True)  # as `fix` profiles it
    before = listing(str(d))
    assert "out.npy" in before
    with Verifier("slow.py", [], timeout=60, cwd=str(d), runs=1) as v:
        yield d, v, before


@pytest.mark.parametrize("name", list(ATTACKS))
def test_attack_rejected_and_tree_unchanged(setup, name):
    d, verifier, before = setup
    pairs, function, expect = ATTACKS[name]
    source = (d / "slow.py").read_text()
    verdict = verifier.verify(edit(source, *pairs, function=function), min_speedup=1.1)
    assert not verdict.accepted, verdict
    assert expect in verdict.reason, verdict.reason
    assert listing(str(d)) == before  # script, stale output: byte-for-byte as before; no temp files


def test_identical_candidate_is_not_faster(setup):
    d, _, before = setup
    source = (d / "slow.py").read_text()
    # one timed pair of an unchanged script can differ by 1.3x on a loaded machine: medians of three,
    # and a bar that noise does not reach
    with Verifier("slow.py", [], timeout=60, cwd=str(d), runs=3) as verifier:
        verdict = verifier.verify(edit(source, ("rng = ", "rng  = ")), min_speedup=3.0)
    assert not verdict.accepted and ("not fast enough" in verdict.reason or "slower" in verdict.reason)
    assert "script-output" in verdict.checks and "files:1" in verdict.checks
    assert listing(str(d)) == before


def test_printed_timings_are_ignored_but_unseeded_results_refuse(tmp_path):
    write(str(tmp_path), "slow.py", '''
        import time
        import numpy as np
        t0 = time.perf_counter()
        x = np.arange(1000.0)
        print(f"sum {x.sum():.6f} mean {x.mean():.6f}")
        print(f"took {time.perf_counter() - t0:.9f} s")
    ''')
    source = (tmp_path / "slow.py").read_text()
    with Verifier("slow.py", [], timeout=60, cwd=str(tmp_path), runs=2) as v:
        ok = v.verify(edit(source, ("x.mean()", "np.mean(x)")), min_speedup=1.0)
        bad = v.verify(edit(source, ("x.mean()", "(x.mean() + 1)")), min_speedup=1.0)
    assert "script-output" in ok.checks, ok.reason
    assert not bad.accepted and "numbers differ" in bad.reason
    write(str(tmp_path), "slow.py", '''
        import numpy as np
        x = np.random.default_rng().random(100)
        print(f"sum {x.sum():.6f} mean {x.mean():.6f}")
    ''')
    source = (tmp_path / "slow.py").read_text()
    with Verifier("slow.py", [], timeout=60, cwd=str(tmp_path), runs=2) as v:
        verdict = v.verify(edit(source, ("x.mean()", "(x.mean() + 1)")), min_speedup=1.0)
    assert not verdict.accepted and "unseeded" in verdict.reason


def test_script_printing_its_own_name_still_compares(tmp_path):
    write(str(tmp_path), "slow.py", "import os, sys\nprint(sys.argv[0], os.path.basename(__file__), 1.5)\n")
    source = (tmp_path / "slow.py").read_text()
    with Verifier("slow.py", [], timeout=60, cwd=str(tmp_path), runs=1) as v:
        same = v.verify(edit(source, ("1.5", "1.50")), min_speedup=0.1)
        other = v.verify(edit(source, ("1.5", "1.6")), min_speedup=0.1)
    assert same.accepted, same.reason
    assert not other.accepted and "numbers differ" in other.reason
