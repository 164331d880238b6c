"""Function-level checks: same printed output is not enough; argument mutation and generated inputs count."""

import pytest

from optadvise.verify import Verifier

from .helpers import edit, listing, write

pytestmark = pytest.mark.slow

SCRIPT = '''
import numpy as np


def scaled_total(x, factor):
    total = 0.0
    for i in range(x.shape[0]):
        x[i] = x[i] * factor
        total += x[i]
    return total


def largest(x):
    best = x[0]
    for v in x:
        if v > best:
            best = v
    return best


def count_big(x, limit):
    n = 0
    for v in x:
        if v > limit:
            n += 1
    return n


data = np.linspace(0.0, 1.0, 5001)
print(f"total {scaled_total(data.copy(), 2.0):.10f}")
print(f"largest {largest(data):.10f}")
print(f"big {count_big(data, 0.5)}")
'''

LOOP_TOTAL = ("    total = 0.0\n    for i in range(x.shape[0]):\n        x[i] = x[i] * factor\n"
              "        total += x[i]\n    return total")
LOOP_MAX = "    best = x[0]\n    for v in x:\n        if v > best:\n            best = v\n    return best"
LOOP_COUNT = "    n = 0\n    for v in x:\n        if v > limit:\n            n += 1\n    return n"


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    d = tmp_path_factory.mktemp("fn")
    write(str(d), "slow.py", SCRIPT)
    before = listing(str(d))
    with Verifier("slow.py", [], timeout=60, cwd=str(d), runs=1) as v:
        yield d, v, before


def _verify(setup, pairs, function):
    d, v, before = setup
    verdict = v.verify(edit((d / "slow.py").read_text(), *pairs, function=function), min_speedup=1.0)
    assert listing(str(d)) == before
    return verdict


def test_dropped_in_place_update_with_same_printed_output(setup):
    verdict = _verify(setup, [(LOOP_TOTAL, "    return np.sum(x * factor)")], "scaled_total")
    assert not verdict.accepted
    assert "script-output" in verdict.checks  # the printed output alone agreed
    assert "argument 1" in verdict.reason and "in-place update" in verdict.reason


def test_wrong_on_generated_inputs_only(setup):
    # the script's data are sorted, so "the last element" is its maximum; not so in general
    verdict = _verify(setup, [(LOOP_MAX, "    return x[-1]")], "largest")
    assert not verdict.accepted and "script-output" in verdict.checks
    assert "generated inputs" in verdict.reason


def test_correct_vectorisation_passes_all_inputs(setup):
    verdict = _verify(setup, [(LOOP_COUNT, "    return int(np.count_nonzero(x > limit))")], "count_big")
    assert "function:3 inputs" in verdict.checks, verdict.reason  # 1 real call + 2 generated


def test_return_type_change_is_caught(setup):
    verdict = _verify(setup, [(LOOP_COUNT, "    return float(np.count_nonzero(x > limit))")], "count_big")
    assert not verdict.accepted and "number format differs" in verdict.reason  # "2500.0" for "2500"


def test_recursive_function_is_skipped_not_failed(setup):
    verdict = _verify(setup, [(LOOP_COUNT, "    return int(np.count_nonzero(x > limit)) if len(x) else "
                                           "count_big(x, limit)")], "count_big")
    assert "function:3 inputs" in verdict.checks  # the candidate may recurse; the original does not


def test_module_level_finding_skips_function_check(setup):
    verdict = _verify(setup, [("data = np.linspace", "data = np.linspace")], "<module>")
    assert not any(c.startswith("function") for c in verdict.checks)


POOL_SCRIPT = '''
def square_sum(n):
    return sum(k * k for k in range(n))


def run(sizes):
    return [square_sum(n) for n in sizes]


if __name__ == "__main__":
    print("total", sum(run([20000] * 4)))
'''


def test_candidate_with_process_pool_and_new_helper_is_checked(tmp_path):
    write(str(tmp_path), "slow.py", POOL_SCRIPT)
    source = (tmp_path / "slow.py").read_text()
    cand = edit(source, ("def run(sizes):\n    return [square_sum(n) for n in sizes]",
                         "def _part(n):\n    return square_sum(n)\n\n\n"
                         "def run(sizes):\n    from concurrent.futures import ProcessPoolExecutor\n"
                         "    with ProcessPoolExecutor(2) as pool:\n        return list(pool.map(_part, sizes))"),
                function="run", kind="processpool")
    with Verifier("slow.py", [], timeout=60, cwd=str(tmp_path), runs=1) as v:
        verdict = v.verify(cand, min_speedup=1.0)
    # the helper is pickled by reference as __main__._part: the harness must make that work
    assert "function:1 inputs" in verdict.checks, verdict.reason


SLOW_CALL = '''
import time

import numpy as np


def total(x):
    time.sleep(1.2)
    s = 0.0
    for v in x:
        s += v
    return s


print(f"total {total(np.linspace(0.0, 1.0, 1000)):.6f}")
'''


def test_one_generated_input_for_a_slow_call(tmp_path):
    write(str(tmp_path), "slow.py", SLOW_CALL)
    source = (tmp_path / "slow.py").read_text()
    cand = edit(source, ("    s = 0.0\n    for v in x:\n        s += v\n    return s", "    return float(np.sum(x))"),
                function="total", rtol=1e-6)
    with Verifier("slow.py", [], timeout=60, cwd=str(tmp_path)) as v:
        verdict = v.verify_kernel(cand)
    assert verdict is not None and "function:2 inputs" in verdict.checks, verdict  # 1 real + 1 generated
