"""Kernel-level verification (original and candidate timed side by side on the real inputs, in one
child): a correct rewrite passes with its figures; candidates that would fool in-process timing are
rejected, by the kernel timing itself or by the one whole-script confirmation of `fix`."""

import pytest

from optadvise.commands.fix import fix_source
from optadvise.model import Finding
from optadvise.verify import Verifier
from optadvise.verify.function_harness import FEW_ROUNDS
from tests.fix.test_fix import Edit

from .helpers import edit, listing

pytestmark = pytest.mark.slow

LOOP = "    s = 0.0\n    for i in range(x.shape[0]):\n        s += x[i]\n    return s\n"
SCRIPT = f'''import numpy as np

seen = 0


def total(x):
    global seen
    seen += 1
    with open("log.txt", "a") as fh:
        fh.write("called\\n")
{LOOP}

rng = np.random.default_rng(3)
acc = 0.0
for k in range(4):
    acc += total(rng.random(300_000))
print(f"acc {{acc:.6f}} seen {{seen}}")
'''
SLOW_LOOP = LOOP.replace("s += x[i]", "s += float(np.sqrt(x[i] * x[i]))")


@pytest.fixture
def setup(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "slow.py").write_text(SCRIPT)
    with Verifier("slow.py", [], timeout=120, runs=1) as v:
        yield v, tmp_path


def test_correct_rewrite_passes_with_kernel_figures(setup):
    v, tmp = setup
    before = listing(tmp)
    verdict = v.verify_kernel(edit(SCRIPT, (LOOP, "    return float(np.sum(x))\n"), function="total"))
    assert verdict is not None and verdict.accepted, verdict and verdict.reason
    k = verdict.kernel
    assert k is not None and k.calls == 4 and k.rounds >= 5 and k.significant
    assert k.t_candidate_s < k.t_original_s and 0 < k.total_original_s
    assert verdict.script_measured is False and verdict.speedup is not None and verdict.speedup > 1
    assert listing(tmp) == before


def test_a_tiny_first_call_does_not_hide_the_speedup_on_the_real_data(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    script = SCRIPT.replace("acc = 0.0\n", "acc = total(np.ones(3))  # a self-check: NumPy is slower here\n")
    (tmp_path / "slow.py").write_text(script)
    with Verifier("slow.py", [], timeout=120, runs=1) as v:
        verdict = v.verify_kernel(edit(script, (LOOP, "    return float(np.sum(x))\n"), function="total"))
    assert verdict is not None and verdict.accepted, verdict and verdict.reason
    k = verdict.kernel
    assert k is not None and k.calls == 5 and k.significant and k.t_candidate_s < k.t_original_s


def test_fast_only_on_first_call_is_rejected(setup):
    v, _ = setup
    body = ("    if not getattr(total, 'warm', False):\n        total.warm = True\n"
            "        return float(np.sum(x))\n" + SLOW_LOOP)
    cand = edit(SCRIPT, (LOOP, body), function="total")
    verdict = v.verify_kernel(cand)
    assert verdict is not None and not verdict.accepted
    assert verdict.reason.startswith("kernel not"), verdict.reason


def test_memo_on_argument_identity_is_rejected(setup):
    v, _ = setup
    body = ("    memo = total.__dict__.setdefault('memo', {})\n    hit = memo.get(id(x))\n"
            "    if hit is not None and hit[0] is x:\n        return hit[1]\n"
            + LOOP.replace("    return s\n", "    memo[id(x)] = (x, s)\n    return s\n"))
    cand = edit(SCRIPT, (LOOP, body), function="total")
    verdict = v.verify_kernel(cand)
    assert verdict is not None and not verdict.accepted
    assert verdict.reason.startswith("kernel not"), verdict.reason


@pytest.mark.parametrize("skipped", ["global", "file"])
def test_skipping_work_seen_only_by_the_whole_script_is_never_kept(setup, skipped):
    v, tmp = setup
    old = ("    seen += 1\n" if skipped == "global" else
           '    with open("log.txt", "a") as fh:\n        fh.write("called\\n")\n')
    new = "    pass\n" if skipped == "global" else ""
    finding = Finding("loop-over-ndarray", "OA101", "slow.py", 11, 14, "total", "m", fixes=["vectorize"])
    cheat = _Cheat(old, new)
    report = fix_source(v, SCRIPT, [finding], None, [cheat], min_speedup=1.1, name="slow.py", args=[])
    (first, *_) = [a for a in report.attempts if a.verdict is not None]
    assert first.verdict.accepted and first.verdict.kernel is not None  # the kernel cannot see it
    assert report.final == SCRIPT and not report.accepted  # the whole-script run does
    assert report.combined is not None and not report.combined.accepted
    assert any("confirmation" in n for n in report.notes)
    assert sorted(p.name for p in tmp.iterdir()) == ["slow.py"]


class _Cheat(Edit):
    """Vectorises the loop and drops the side effect `old` (replaced by `new`)."""

    def __init__(self, old, new):
        super().__init__(LOOP, "    return float(np.sum(x))\n")
        self.drop = (old, new)

    def propose(self, source, finding, profile):
        (c,) = super().propose(source, finding, profile)
        c.new = c.new.replace(*self.drop)
        return [c]


SLEEPY_BODY = "    time.sleep(1.2)\n    return float(sum(x))\n"
SLEEPY = f'''import time

import numpy as np


def total(x):
{SLEEPY_BODY}

print(f"total {{total(np.linspace(0.0, 1.0, 1000)):.6f}}")
'''


@pytest.fixture
def sleepy(tmp_path):
    (tmp_path / "slow.py").write_text(SLEEPY)
    with Verifier("slow.py", [], timeout=120, cwd=str(tmp_path)) as v:
        yield v


def test_slow_original_beaten_by_the_candidates_first_call_is_timed_once(sleepy):
    verdict = sleepy.verify_kernel(edit(SLEEPY, (SLEEPY_BODY, "    return float(np.sum(x))\n"),
                                        function="total", rtol=1e-6))
    assert verdict is not None and verdict.accepted, verdict and verdict.reason
    k = verdict.kernel
    assert k is not None and k.t_original_s == k.total_original_s >= 1.2  # the real call, no other
    assert k.rounds == FEW_ROUNDS and k.significant


def test_fast_only_on_first_call_against_a_slow_original_is_rejected(sleepy):
    body = ("    if not getattr(total, 'warm', False):\n        total.warm = True\n"
            "        return float(np.sum(x))\n    time.sleep(1.5)\n    return float(np.sum(x))\n")
    verdict = sleepy.verify_kernel(edit(SLEEPY, (SLEEPY_BODY, body), function="total", rtol=1e-6))
    assert verdict is not None and not verdict.accepted
    assert verdict.reason.startswith("kernel not"), verdict.reason


def test_a_candidate_whose_calls_outlast_the_budget_is_timed_fewer_times(sleepy):
    body = "    time.sleep(1.1)\n    return float(np.sum(x))\n"
    verdict = sleepy.verify_kernel(edit(SLEEPY, (SLEEPY_BODY, body), function="total", rtol=1e-6))
    assert verdict is not None and verdict.kernel is not None and verdict.kernel.rounds == FEW_ROUNDS


def test_a_slower_candidate_stops_being_timed_once_it_cannot_win(sleepy):
    body = "    time.sleep(1.6)\n    return float(np.sum(x))\n"
    verdict = sleepy.verify_kernel(edit(SLEEPY, (SLEEPY_BODY, body), function="total", rtol=1e-6))
    assert verdict is not None and not verdict.accepted and verdict.reason.startswith("kernel not")
    assert verdict.kernel is not None and verdict.kernel.rounds == 2  # 2 of the 3 it would get lost
