"""The verifier: a candidate is accepted only when it is equivalent to the original and faster.

    sandbox         temp script beside the original, file snapshots, undoing each run's file effects
    baseline        runs of the original: reference output and files, what varies between runs, timings
    compare         value / array / text / file comparison under one tolerance policy
    messages        the typed spec and result exchanged with the function-check child
    function_check  parent side of the function-level check
    function_harness  child side (`python -m optadvise.verify.function_harness SPEC`)
    verifier        `Verifier`: Candidate -> Verdict (kernel or script level, timing medians, compile apart)
"""

from optadvise.verify.verifier import Verifier, estimate_speedup, verify_candidate

__all__ = ["Verifier", "estimate_speedup", "verify_candidate"]
