"""The `Verifier`: turns a `Candidate` into a `Verdict`, accepted only when the candidate is EQUIVALENT
to the original and FASTER.

Script level (always): the rewritten script runs as a hidden script in the `Sandbox`; against the
`Baseline` of the original it must give the same exit status, the same stdout (words exactly, numbers
within the tolerance of `optadvise.verify.compare`, numbers that vary between runs of the original
ignored and counted) and write the same files. Every run is undone afterwards.

Function level (where the finding is in a module-level function): `check_function` calls original and
candidate function side by side on the real arguments and on generated ones, and compares return
values, argument mutation and exceptions.

Timing: the candidate runs once to warm up (a JIT compiles and caches then; `compile_s` = warm-up time
minus the steady median, floored at 0), then `Baseline.runs` times, each timed run paired with a run of
the reference (the original, or the source the candidate improves on) so both see the same machine
load; against the original, where that warm-up run already beat the baseline's runs `CLEAR` times
over, as many times as the baseline ran it, against those runs (none repeated). The speedup is the
ratio of the medians and must reach `min_speedup` (`timed=False` skips the timing: a one-run
confirmation of outputs).

Kernel level (`verify_kernel`, for a finding in a module-level function): one child runs the original
script (or a reference: the original plus the rewrites accepted so far) with the function wrapped; its
function and the candidate's are compared AND timed on the real inputs (`KernelTiming`); the kernel
speedup must reach `min_speedup` significantly. The whole-script speedup is then an estimate
(`estimate_speedup`) until the caller confirms the final source with `verify`.
"""

from __future__ import annotations

import math
import os
import statistics
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

from optadvise.apply import OriginalFile, encode_source
from optadvise.model import MODULE, Candidate, KernelTiming, Verdict
from optadvise.verify.baseline import Baseline, measure_original, same_file, vary
from optadvise.verify.compare import ATOL, Diff, compare_text
from optadvise.verify.function_check import check_function
from optadvise.verify.function_harness import CLEAR
from optadvise.verify.sandbox import SNAPSHOT_CAP, HiddenScript, Progress, Run, Sandbox


class Verifier:
    """Verifies candidates for one script run as `python SCRIPT ARGS` in `cwd`. Use as a context
    manager (or call `close`) so its private temp folder goes away."""

    def __init__(self, script: str, args: list[str], *, timeout: float, cwd: str | None = None,
                 runs: int | None = None, original: OriginalFile | None = None,
                 progress: Progress | None = None):
        cwd = os.path.abspath(cwd or os.getcwd())
        self.timeout = timeout
        self.runs = runs
        self.original = original or OriginalFile.read(os.path.join(cwd, script))
        self.progress = progress or (lambda msg: None)
        self.box = Sandbox(script, args, cwd)
        self._baseline: Baseline | None = None

    def __enter__(self) -> Verifier:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.box.close()

    def baseline(self) -> Baseline:
        if self._baseline is None:
            self._baseline = measure_original(self.box, self.timeout, self.runs, self.progress)
        return self._baseline

    def _encoded(self, candidate: Candidate, reference: str | None) -> tuple[bytes, bytes | None]:
        """The candidate's and the reference's source in the original file's encoding (raises
        OptadviseError when one cannot be stored in it)."""
        return (encode_source(candidate.new, self.original),
                None if reference is None else encode_source(reference, self.original))

    @contextmanager
    def _hidden(self, data: bytes, ref_data: bytes | None) -> Iterator[tuple[HiddenScript, HiddenScript | None]]:
        """The candidate, and the reference if there is one, as hidden scripts beside the original."""
        ref_context = nullcontext() if ref_data is None else self.box.hidden_script(ref_data)
        with self.box.hidden_script(data) as cand, ref_context as ref:
            yield cand, ref

    def verify_kernel(self, candidate: Candidate, *, min_speedup: float = 1.1,
                      reference: str | None = None) -> Verdict | None:
        """Kernel-level verdict on `candidate` (module docstring), or None where the kernel check does
        not apply (module-level finding, recursion, uncopyable or huge arguments, function not
        called): the caller then verifies at script level. With a `reference` source (the original
        plus rewrites accepted so far) the candidate's function is compared and timed against the
        reference's, which runs as the script: its figures are what this step saves."""
        if candidate.function in (MODULE, "") or "." in candidate.function or "<" in candidate.function:
            return None
        base = self.baseline()
        if base.error:
            return Verdict(candidate, False, f"cannot verify: {base.error}")
        try:
            data, ref_data = self._encoded(candidate, reference)
        except Exception as e:  # noqa: BLE001 - OptadviseError from encoding
            return Verdict(candidate, False, f"cannot store the candidate: {e}")
        with self._hidden(data, ref_data) as (cand, ref):
            fres = check_function(self.box, candidate, cand, min(self.timeout, 5 * base.median + 60),
                                  self.progress, timing=True, reference=ref)
        if fres.status == "mismatch":
            return Verdict(candidate, False, f"function {candidate.function}: {fres.reason}",
                           max_rel_diff=_finite(fres.max_rel_diff))
        k = fres.timing
        if fres.status != "ok" or k is None:
            return None
        est = estimate_speedup(base.median, [k])
        v = Verdict(candidate, False, "", speedup=est, t_original_s=base.median,
                    t_candidate_s=base.median / est, compile_s=k.compile_s,
                    max_rel_diff=_finite(fres.max_rel_diff), checks=[f"function:{fres.inputs} inputs"],
                    kernel=k, script_measured=False)
        figures = (f"{k.speedup:.2f}x per call ({_ms(k.t_original_s)} -> {_ms(k.t_candidate_s)}, "
                   f"{k.rounds} timed calls)")
        if k.speedup < min_speedup or not k.significant:
            v.reason = (f"kernel not faster: {figures}" if k.speedup < 1 else
                        f"kernel not significantly faster: {figures}, needs {min_speedup:g}x beyond noise")
            return v
        if est < 1.0:
            v.reason = f"whole script estimated slower ({est:.2f}x): the JIT compile costs more than {figures} saves"
            return v
        v.checks.append("kernel-timing")
        v.accepted = True
        v.reason = "; ".join([f"kernel verified: {figures}, same results; whole script ~{est:.2f}x "
                              f"(estimated)", *fres.notes])
        return v

    def verify(self, candidate: Candidate, *, min_speedup: float = 1.1, reference: str | None = None,
               function_level: bool = True, timed: bool = True, paired: bool = True) -> Verdict:
        """Verdict on `candidate` (a whole rewritten file). Correctness is always judged against the
        original script; speed (unless not `timed`) against `reference` (a source text, default the
        original script), timed in alternation with the candidate so both see the same machine load,
        or (not `paired`, or a warm-up run `CLEAR` times faster; original reference only) against
        the baseline's own timed runs of the original, which saves re-running it where the kernel
        figures or the warm-up run already showed the speedup."""
        base = self.baseline()
        if base.error:
            return Verdict(candidate, False, f"cannot verify: {base.error}")
        est = base.median  # the original's time, for time limits
        checks: list[str] = []
        notes: list[str] = []
        try:
            data, ref_data = self._encoded(candidate, reference)
        except Exception as e:  # noqa: BLE001 - OptadviseError from encoding
            return Verdict(candidate, False, f"cannot store the candidate: {e}")
        box = self.box
        with self._hidden(data, ref_data) as (cand, ref_script):
            warm_timeout = min(self.timeout, 3 * est + 60)
            self.progress(f"{candidate.kind} for {candidate.function}: warm-up run")
            warm = box.run(cand.argv, warm_timeout, cand.env)
            d = self._check(warm, base, candidate.rtol, warm_timeout)
            if not d.ok:
                return Verdict(candidate, False, d.reason, max_rel_diff=_finite(d.max_rel_diff), checks=checks)
            max_rel = d.max_rel_diff
            checks += ["exit-status", "script-output"]
            if base.outputs:
                checks.append(f"files:{len(base.outputs)}")
            if base.volatile or base.volatile_files:
                notes.append(f"{len(base.volatile) + len(base.volatile_files)} output value(s) that vary "
                             f"between runs of the original were not compared")
            if not base.complete:
                notes.append(f"file check limited to the first {SNAPSHOT_CAP} entries of the folder")
            if function_level:
                fres = check_function(box, candidate, cand, min(self.timeout, 5 * est + 60), self.progress)
                if fres.status == "mismatch":
                    return Verdict(candidate, False, f"function {candidate.function}: {fres.reason}",
                                   max_rel_diff=_finite(fres.max_rel_diff), checks=checks)
                if fres.status == "ok":
                    checks.append(f"function:{fres.inputs} inputs")
                    max_rel = max(max_rel, fres.max_rel_diff or 0.0)
                    notes += fres.notes
                else:
                    notes.append(f"function-level check skipped: {fres.reason}")
            if not timed:
                checks.append("whole-script run")
                return Verdict(candidate, True, "; ".join(["verified: same results (one whole-script run)"]
                                                          + notes), compile_s=None,
                               max_rel_diff=_finite(max_rel), checks=checks)
            if ref_script is not None:  # warm the reference too (its own JIT compile)
                box.restore(box.run(ref_script.argv, warm_timeout, ref_script.env).changes)
            ref_argv, ref_env = (ref_script.argv, ref_script.env) if ref_script else (box.original_argv, None)
            # the candidate's first run (a JIT compile included) beat the original CLEAR times over:
            # the baseline's own runs of the original are a fair reference, none is run again
            clear = CLEAR * warm.result.wall_s <= min(base.times, default=0.0)
            reuse = (clear or not paired) and ref_script is None and bool(base.times)
            times: list[float] = []
            ref_times: list[float] = list(base.times) if reuse else []
            # never below twice the warm-up: a candidate with a fixed start-up cost (a local cluster)
            timed_timeout = min(self.timeout, max(3 * est, est + 10, 2 * warm.result.wall_s))
            n_runs = (len(base.times) if clear else max(len(base.times), 2)) if reuse else base.runs
            for k in range(n_runs):
                self.progress(f"{candidate.kind} for {candidate.function}: timing ({k + 1}/{n_runs})")
                if not reuse:
                    ref = box.run(ref_argv, self.timeout, ref_env)
                    box.restore(ref.changes)
                    ref_times.append(ref.result.wall_s)
                run = box.run(cand.argv, timed_timeout, cand.env)
                d = self._check(run, base, candidate.rtol, timed_timeout)
                if not d.ok:
                    reason = (f"slower: {d.reason}" if run.result.timed_out else f"unstable: run {k + 2}: {d.reason}")
                    return Verdict(candidate, False, reason, checks=checks)
                max_rel = max(max_rel, d.max_rel_diff)
                times.append(run.result.wall_s)
            t_ref, t_c = statistics.median(ref_times), statistics.median(times)
            speedup = t_ref / t_c if t_c > 0 else float("inf")
            compile_s = max(0.0, warm.result.wall_s - t_c)
            v = Verdict(candidate, False, "", speedup=speedup, t_original_s=t_ref, t_candidate_s=t_c,
                        compile_s=compile_s, max_rel_diff=_finite(max_rel), checks=checks)
            if speedup < min_speedup:
                v.reason = (f"slower: {speedup:.2f}x" if speedup < 1 else f"not fast enough: {speedup:.2f}x") + \
                    f" < {min_speedup:g}x"
                return v
            checks.append("timing")
            v.accepted = True
            v.reason = "; ".join([f"verified: {speedup:.2f}x faster, same results"] + notes)
            return v

    def _check(self, run: Run, base: Baseline, rtol: float, timeout: float) -> Diff:
        """Compare a candidate run with the original, then undo its file effects. Where its output
        differs before the baseline knows what varies between runs of the original, the original
        runs once more (`vary`) and the output is compared again, varying numbers ignored."""
        d = self._compare(run, base, rtol, timeout)
        problems = self.box.restore(run.changes)
        if problems:
            names = ", ".join(self.box.rel(p) for p in problems[:3])
            return Diff(False, f"{d.reason or 'files changed'}; could not restore {names} (no backup: "
                               f"the original does not write it)", d.max_rel_diff)
        res = run.result
        if not (d.ok or base.varied or res.timed_out or res.returncode != base.returncode
                or self._stdout(run, base, rtol).ok):
            vary(self.box, base, self.timeout, self.progress)
            if base.error:
                return Diff(False, f"cannot verify: {base.error}")
            d = self._compare(run, base, rtol, timeout)  # the original writes no file: none to read
        return d

    def _stdout(self, run: Run, base: Baseline, rtol: float) -> Diff:
        return compare_text(base.stdout, self.box.unalias(run.result.stdout), rtol, ATOL, base.volatile)

    def _compare(self, run: Run, base: Baseline, rtol: float, timeout: float) -> Diff:
        res = run.result
        if res.timed_out:
            return Diff(False, f"timed out after {timeout:.3g} s (the original takes {base.median:.3g} s)")
        if res.returncode != base.returncode:
            if base.returncode == 0:
                return Diff(False, f"candidate crashed: {run.last_error_line() or f'exit status {res.returncode}'}")
            return Diff(False, f"exit status {res.returncode} vs the original's {base.returncode}")
        out = self._stdout(run, base, rtol)
        if not out.ok:
            return out
        diffs = [out]
        for p in sorted(set(base.outputs) | set(run.changes.touched())):
            name = self.box.rel(p)
            ref = base.outputs.get(p)
            if ref is None:
                what = ("wrote" if p in run.changes.created else
                        "deleted" if p in run.changes.deleted else "modified")
                return Diff(False, f"candidate {what} {name}, which the original does not")
            if not os.path.exists(p):
                return Diff(False, f"candidate did not write {name}")
            if p in base.volatile_files:
                continue
            d = same_file(ref, p, rtol)
            if not d.ok:
                return Diff(False, f"file {name} differs: {d.reason}", d.max_rel_diff)
            diffs.append(d)
        return Diff.worst(diffs)


def estimate_speedup(script_s: float, kernels: list[KernelTiming]) -> float:
    """Whole-script speedup when each kernel's calls take its candidate's time (plus one JIT
    compile) instead of the original's; the rest of the script is unchanged."""
    saved = sum(k.total_original_s - k.total_candidate_s - k.compile_s for k in kernels)
    return script_s / max(script_s - saved, 1e-3 * script_s) if script_s > 0 else 1.0


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:.3g} ms"


def _finite(x: float | None) -> float | None:
    return None if x is None or math.isinf(x) or math.isnan(x) else x


def verify_candidate(candidate: Candidate, script: str, args: list[str], *, timeout: float = 600.0,
                     min_speedup: float = 1.1, cwd: str | None = None, runs: int | None = None) -> Verdict:
    """One-shot convenience: verify a single candidate (fix reuses one `Verifier` for all)."""
    with Verifier(script, args, timeout=timeout, cwd=cwd, runs=runs) as v:
        return v.verify(candidate, min_speedup=min_speedup)
