"""`optadvise fix`: the rewrite/verify loop, --apply, JSON, rewriter failures and exit codes."""

import os
import subprocess
import sys
import textwrap

import pytest

from optadvise.commands.fix import fix_source, line_map, relocate, run_fix
from optadvise.errors import OptadviseError
from optadvise.model import Candidate, Finding
from optadvise.report.fix_json import fix_document
from optadvise.rewriters import Decline, Rewriter
from optadvise.verify import Verifier

LOOP = "    s = 0.0\n    for i in range(x.shape[0]):\n        s += x[i]\n    return s"
SCRIPT = f'''import numpy as np


def total(x):
{LOOP}


x = np.arange(N, dtype=np.float64) * 0.5
print(f"total {{total(x):.6f}}")
'''


class Edit(Rewriter):
    """A test rewriter: replaces `old` with `new` (declines when `old` is absent), or raises `error`."""

    kind = "vectorize"
    rules = ("loop-over-ndarray",)

    def __init__(self, old="", new="", error=None, kind="vectorize"):
        self.old, self.new, self.error, self.kind = old, new, error, kind

    def applies(self, finding):
        return True

    def propose(self, source, finding, profile):
        if self.error:
            raise self.error
        start = source.find(self.old)
        if start < 0:
            raise Decline("no loop to rewrite")
        first = source.count("\n", 0, start) + 1  # like a real rewriter: only the finding's own lines
        if not first <= finding.end_lineno or not finding.lineno <= first + self.old.count("\n"):
            raise Decline("not this finding's loop")
        return [Candidate(finding.rule, self.kind, finding.function, finding.filename, finding.lineno,
                          "test rewrite", source, source.replace(self.old, self.new))]


def _script(tmp_path, n):
    p = tmp_path / "slow.py"
    p.write_text(SCRIPT.replace("N", str(n)))
    return p


def _run(monkeypatch, tmp_path, rewriters, apply=True):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("optadvise.rewriters.load_all", lambda: rewriters)
    report, failure = run_fix("slow.py", [], apply=apply, function=None, rule=None, json_mode=True,
                              min_speedup=1.1, timeout=60)
    assert failure is None
    return report.exit_code, fix_document(report, apply)


def test_line_map_and_relocate():
    before = "a\nb\nc\nd\n"
    after = "a\nx\ny\nc\nd\n"
    assert line_map(before, after) == {1: 1, 3: 4, 4: 5}
    f = Finding("r", "OA1", "s.py", 3, 4, "f", "m")
    assert (relocate(f, before, after).lineno, relocate(f, before, after).end_lineno) == (4, 5)
    assert relocate(Finding("r", "OA1", "s.py", 2, 3, "f", "m"), before, after) is None


@pytest.mark.slow
def test_apply_writes_verified_rewrite_and_second_run_changes_nothing(tmp_path, monkeypatch):
    p = _script(tmp_path, 2_000_000)
    rewriters = [Edit(LOOP, "    return np.sum(x)")]
    code, doc = _run(monkeypatch, tmp_path, rewriters)
    assert code == 0, doc["verdicts"]
    assert doc["written"] == str(p.resolve()) and "np.sum(x)" in p.read_text()
    (v,) = doc["verdicts"]
    assert v["accepted"] and v["applied"] and "+    return np.sum(x)" in v["diff"] and "new" not in v
    after = p.read_bytes()
    code, doc = _run(monkeypatch, tmp_path, rewriters)
    assert code == 1 and p.read_bytes() == after and doc["written"] is None
    assert sorted(os.listdir(tmp_path)) == ["slow.py"]


@pytest.mark.slow
def test_wrong_and_broken_rewriters_never_written(tmp_path, monkeypatch):
    p = _script(tmp_path, 400_000)  # long enough for the sampling profiler to see the loop
    before = p.read_bytes()
    rewriters = [Edit(error=RuntimeError("boom")), Edit("nothing here", ""),
                 Edit(LOOP, "    return np.sum(x[1:]) + 1.0"), Edit(LOOP, "    return np.sum(x, axis=1)"),
                 Edit(LOOP, "    return np.sum(x) +")]
    code, doc = _run(monkeypatch, tmp_path, rewriters)
    assert code == 1 and p.read_bytes() == before and doc["written"] is None
    reasons = [d["reason"] for d in doc["declines"]]
    assert "rewriter error: RuntimeError: boom" in reasons and "declined: no loop to rewrite" in reasons
    assert any(r.startswith("rewriter error: candidate is not valid Python") for r in reasons)
    assert [v["accepted"] for v in doc["verdicts"]] == [False, False]
    assert "return value" in doc["verdicts"][0]["reason"]  # kernel level: compared on the real input
    assert "raises AxisError" in doc["verdicts"][1]["reason"]
    assert sorted(os.listdir(tmp_path)) == ["slow.py"]


TWO = '''import numpy as np


def total(x):
    s = 0.0
    for i in range(x.shape[0]):
        s += x[i]
    return s


def count(x):
    n = 0
    for i in range(x.shape[0]):
        if x[i] > 1.0:
            n += 1
    return n


x = np.arange(1_500_000, dtype=np.float64) * 0.5
print(f"total {total(x):.6f} count {count(x)}")
'''


@pytest.mark.slow
def test_two_findings_chain_and_combined_check(tmp_path, monkeypatch):
    (tmp_path / "slow.py").write_text(TWO)
    monkeypatch.chdir(tmp_path)
    findings = [Finding("loop-over-ndarray", "OA101", "slow.py", 5, 6, "total", "m", fixes=["vectorize"]),
                Finding("loop-over-ndarray", "OA101", "slow.py", 12, 14, "count", "m", fixes=["vectorize"])]
    rewriters = [Edit("    s = 0.0\n    for i in range(x.shape[0]):\n        s += x[i]\n    return s",
                      "    return np.sum(x)"),
                 Edit("    n = 0\n    for i in range(x.shape[0]):\n        if x[i] > 1.0:\n            n += 1\n"
                      "    return n", "    return int(np.count_nonzero(x > 1.0))")]
    with Verifier("slow.py", [], timeout=60, runs=3) as v:  # medians: steady on a loaded machine
        report = fix_source(v, TWO, findings, None, rewriters, min_speedup=1.1, name="slow.py", args=[])
    applied = [a for a in report.attempts if a.applied]
    assert len(applied) == 2, [(a.kind, a.declined, a.verdict and a.verdict.reason) for a in report.attempts]
    assert report.combined is not None and report.combined.accepted, report.combined.reason
    assert "np.sum(x)" in report.final and "np.count_nonzero" in report.final
    combined = report.combined
    if combined.script_measured:  # paired whole-script runs, against the original
        assert combined.t_original_s > combined.t_candidate_s
    else:  # the kernels' figures left no doubt: the whole-script speedup is their estimate
        assert combined.speedup is not None and combined.speedup > 1.0
        assert all(a.verdict.kernel is not None for a in applied)


def _cli(tmp_path, *args, script=None):
    if script is not None:
        (tmp_path / "s.py").write_text(textwrap.dedent(script))
    return subprocess.run([sys.executable, "-m", "optadvise", "fix", *args], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.slow
def test_exit_codes(tmp_path):
    r = _cli(tmp_path, "missing.py")
    assert r.returncode == 2 and r.stderr.startswith("optadvise: error:") and "Traceback" not in r.stderr
    r = _cli(tmp_path, "s.py", script="raise ValueError('bad data')\n")
    assert r.returncode == 3 and "ValueError" in r.stderr and "Traceback" not in r.stderr
    r = _cli(tmp_path, "s.py", "--timeout", "1", script="import time\ntime.sleep(30)\n")
    assert r.returncode == 4 and "timeout" in r.stderr
    r = _cli(tmp_path, "s.py", "--apply", script="print('hello')\n")
    assert r.returncode == 1 and (tmp_path / "s.py").read_text() == "print('hello')\n"
    r = _cli(tmp_path, "s.py", "--rule", "no-such-rule")
    assert r.returncode == 2 and "unknown rule" in r.stderr


def test_script_failure_raises_before_any_candidate(tmp_path, monkeypatch):
    (tmp_path / "slow.py").write_text("import sys\nsys.exit(5)\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("optadvise.commands.fix.fix_source", lambda *a, **k: pytest.fail("no rewriting"))
    with pytest.raises(OptadviseError) as e:
        run_fix("slow.py", [], apply=True, function=None, rule=None, json_mode=False, min_speedup=1.1,
                timeout=60)
    assert e.value.code == 3


class _Variants(Edit):
    """Two correct candidates for one finding, as a rewriter with a serial and a parallel variant."""

    def propose(self, source, finding, profile):
        (c,) = super().propose(source, finding, profile)
        return [c, Candidate(c.rule, c.kind, c.function, c.filename, c.lineno, "second variant", source,
                             source.replace(self.old, "    return float(np.add.reduce(x))"))]


@pytest.mark.slow
@pytest.mark.parametrize("try_all", [False, True])
def test_the_first_verified_variant_stops_the_search_unless_all(tmp_path, monkeypatch, try_all):
    source = _script(tmp_path, 1_000_000).read_text()
    monkeypatch.chdir(tmp_path)
    finding = Finding("loop-over-ndarray", "OA101", "slow.py", 5, 7, "total", "m", fixes=["vectorize"])
    with Verifier("slow.py", [], timeout=60) as v:
        report = fix_source(v, source, [finding], None, [_Variants(LOOP, "    return np.sum(x)")],
                            min_speedup=1.1, name="slow.py", args=[], try_all=try_all)
    verdicts = [a.verdict for a in report.attempts if a.verdict is not None]
    skipped = [a.declined for a in report.attempts if a.declined]
    assert verdicts[0].accepted, verdicts[0].reason
    if try_all:
        assert [v.candidate.description for v in verdicts] == ["test rewrite", "second variant"]
    else:
        assert len(verdicts) == 1 and report.accepted[0].verdict is verdicts[0]
        assert skipped == ["not tried: second variant: an earlier candidate verified (--all tries every one)"]


WASTEFUL = "    s = float(np.sum(x))\n    np.exp(np.sin(x))\n    return s"  # clearly faster, not the fastest


@pytest.mark.slow
@pytest.mark.parametrize(("left_s", "findings"), [(0.0, 1), (1e9, 1), (0.0, 2)])
def test_numba_is_tried_after_a_vectorised_kernel_that_still_takes_long(tmp_path, monkeypatch, left_s, findings):
    """A verified vectorised kernel leaving at least RIVAL_LEFT_S per run lets Numba's candidate be
    timed too, and the one saving more time is kept; below it, or when another finding in the same
    function is still to come (Numba would take the whole function), Numba is not tried."""
    source = _script(tmp_path, 1_000_000).read_text()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("optadvise.commands.fix.RIVAL_LEFT_S", left_s)
    monkeypatch.setattr("optadvise.commands.fix.TIE", 1.0)  # whichever saves more, however little
    finding = Finding("loop-over-ndarray", "OA101", "slow.py", 5, 7, "total", "m", fixes=["vectorize", "numba"])
    rewriters = [Edit(LOOP, WASTEFUL, kind="vectorize"), Edit(LOOP, "    return float(np.sum(x))", kind="numba")]
    with Verifier("slow.py", [], timeout=60) as v:
        report = fix_source(v, source, [finding] * findings, None, rewriters, min_speedup=1.1, name="slow.py",
                            args=[])
    tried = {a.kind: a for a in report.attempts if a.finding is finding and a.kind != "-"}
    assert tried["vectorize"].verdict is not None and tried["vectorize"].verdict.accepted
    if left_s or findings > 1:
        assert tried["numba"].declined.startswith("not tried: an earlier candidate verified")
        assert [a.kind for a in report.accepted] == ["vectorize"]
    else:
        assert tried["numba"].verdict is not None and tried["numba"].verdict.accepted
        assert [a.kind for a in report.accepted] == ["numba"] and "np.sum(x))" in report.final


BOTH = '''import numpy as np


def stats(x):
    s = 0.0
    for i in range(x.shape[0]):
        s += x[i]
    n = 0
    for i in range(x.shape[0]):
        if x[i] > 1.0:
            n += 1
    return s, n


x = np.arange(600_000, dtype=np.float64) * 0.5
print("stats %.6f %d" % stats(x))
'''


@pytest.mark.slow
def test_a_second_rewrite_of_one_function_is_kernel_checked_against_the_first(tmp_path, monkeypatch):
    (tmp_path / "slow.py").write_text(BOTH)
    monkeypatch.chdir(tmp_path)
    findings = [Finding("loop-over-ndarray", "OA101", "slow.py", 5, 7, "stats", "m", fixes=["vectorize"]),
                Finding("loop-over-ndarray", "OA101", "slow.py", 8, 11, "stats", "m", fixes=["vectorize"])]
    rewriters = [Edit("    s = 0.0\n    for i in range(x.shape[0]):\n        s += x[i]\n", "    s = float(np.sum(x))\n"),
                 Edit("    n = 0\n    for i in range(x.shape[0]):\n        if x[i] > 1.0:\n            n += 1\n",
                      "    n = int(np.count_nonzero(x > 1.0))\n")]
    with Verifier("slow.py", [], timeout=60) as v:
        report = fix_source(v, BOTH, findings, None, rewriters, min_speedup=1.1, name="slow.py", args=[])
    applied = [a for a in report.attempts if a.applied]
    assert len(applied) == 2, [(a.kind, a.declined, a.verdict and a.verdict.reason) for a in report.attempts]
    first, second = (a.verdict for a in applied)
    assert first.kernel is not None and second.kernel is not None  # both judged at kernel level
    # the second is timed against the function with the first rewrite in it, not the original loop pair
    assert second.kernel.total_original_s < first.kernel.total_original_s
    assert report.combined is not None and report.combined.accepted, report.combined.reason


@pytest.mark.slow
def test_a_confirmation_losing_to_stale_baseline_runs_is_timed_again_in_alternation(tmp_path, monkeypatch):
    """The baseline's runs of the original were taken earlier (here: made 10x too fast, as if the
    machine had slowed down since); the combined rewrite is then timed against fresh runs of the
    original, alternating with its own, and kept."""
    source = _script(tmp_path, 1_000_000).read_text()
    monkeypatch.chdir(tmp_path)
    finding = Finding("loop-over-ndarray", "OA101", "slow.py", 5, 7, "total", "m", fixes=["vectorize"])
    with Verifier("slow.py", [], timeout=60) as v:
        base = v.baseline()
        base.times = [t / 10 for t in base.times]
        report = fix_source(v, source, [finding], None, [Edit(LOOP, "    return float(np.sum(x))")],
                            min_speedup=1.1, name="slow.py", args=[])
    combined = report.combined
    assert combined is not None and combined.accepted, combined and combined.reason
    assert combined.script_measured and combined.t_original_s > 5 * min(base.times)  # fresh runs, not stale
    assert "np.sum(x)" in report.final
