"""Parent side of the function-level check: writes a `FunctionSpec`, runs
`python -m optadvise.verify.function_harness SPEC` in the sandbox, reads back its `FunctionResult`."""

from __future__ import annotations

import os
import sys

from optadvise.model import MODULE, Candidate
from optadvise.verify.compare import ATOL
from optadvise.verify.messages import FunctionResult, FunctionSpec, read_message, write_message
from optadvise.verify.sandbox import HiddenScript, Progress, Sandbox

HARNESS = "optadvise.verify.function_harness"


def check_function(box: Sandbox, candidate: Candidate, hidden: HiddenScript, timeout: float,
                   progress: Progress, timing: bool = False, reference: HiddenScript | None = None) -> FunctionResult:
    """Compare the candidate's function (defined in `hidden`) with the original's (or, given a
    `reference` source, that one's: the script run is then the reference) on the real and on
    generated arguments (and, with `timing`, time both on the real ones); `skipped` with a reason
    where the check cannot apply."""
    if candidate.function in (MODULE, "", None):
        return FunctionResult.skipped("the finding is at module level")
    if "." in candidate.function or "<" in candidate.function:
        return FunctionResult.skipped(f"{candidate.function} is not a module-level function")
    tag = os.path.basename(hidden.path)
    spec_path = os.path.join(box.tmp, f"{tag}.spec.json")
    spec = FunctionSpec(script=reference.path if reference else box.script, args=box.args, candidate=hidden.path,
                        function=candidate.function, rtol=candidate.rtol, atol=ATOL, timing=timing,
                        out=os.path.join(box.tmp, f"{tag}.result.json"))
    write_message(spec, spec_path)
    step = "kernel check and timing" if timing else "function-level check"
    progress(f"{candidate.kind} for {candidate.function}: {step}")
    run = box.run([sys.executable, "-m", HARNESS, spec_path], timeout, hidden.env)
    problems = box.restore(run.changes)
    if problems:
        return FunctionResult("mismatch", f"cannot restore {box.rel(problems[0])}")
    try:
        return read_message(FunctionResult, spec.out)
    except (OSError, ValueError):
        why = "timed out" if run.result.timed_out else (
            run.last_error_line() or f"exit status {run.result.returncode}")
        return FunctionResult.skipped(f"the harness gave no result ({why})")
