"""The fix report gives both figures of a kernel-level verdict: the function's and the whole script's."""

from optadvise.model import Attempt, Candidate, Finding, FixReport, KernelTiming, Verdict
from optadvise.report.fix_json import fix_document
from optadvise.report.fix_text import render_fix_text
from optadvise.report.profile_text import FILE
from optadvise.verify import estimate_speedup


def _report() -> FixReport:
    f = Finding("loop-over-ndarray", "OA101", "s.py", 3, 5, "total", "m", fixes=["vectorize"])
    c = Candidate("loop-over-ndarray", "vectorize", "total", "s.py", 3, "np.sum", "a\n", "b\n")
    k = KernelTiming(calls=4, total_original_s=0.8, t_original_s=0.2, t_candidate_s=0.002, rounds=12,
                     significant=True)
    v = Verdict(c, True, "kernel verified", speedup=estimate_speedup(1.0, [k]), kernel=k,
                script_measured=False)
    return FixReport("s.py", [], "a\n", "b\n", [f], [Attempt(f, "vectorize", v, diff="-a\n+b\n", applied=True)])


def test_estimate_scales_the_kernel_to_the_script():
    k = KernelTiming(calls=4, total_original_s=0.8, t_original_s=0.2, t_candidate_s=0.002, rounds=12)
    assert abs(estimate_speedup(1.0, [k]) - 1.0 / (0.2 + 0.008)) < 1e-9
    slow_jit = KernelTiming(calls=1, total_original_s=0.1, t_original_s=0.1, t_candidate_s=0.01, rounds=5,
                            compile_s=0.5)
    assert estimate_speedup(1.0, [slow_jit]) < 1.0  # a compile dearer than the saving is a loss


def test_text_and_json_give_function_and_script_figures():
    report = _report()
    text = " ".join(render_fix_text(report, FILE).split())  # wrapped to the width
    assert "200 ms -> 2 ms per call" in text and "800 ms -> 8 ms over 4 call(s): 100.00x" in text
    assert "whole script ~4.81x (estimated" in text
    (v,) = fix_document(report)["verdicts"]
    assert v["kernel"]["speedup"] == 100.0 and abs(v["kernel"]["total_candidate_s"] - 0.008) < 1e-12
    assert v["script_measured"] is False and abs(v["speedup"] - 1 / 0.208) < 1e-9
