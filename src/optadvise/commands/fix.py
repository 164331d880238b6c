"""`optadvise fix`: profile, diagnose, rewrite, verify, and (with --apply) write what was verified.

Findings are taken in rank order. For each, the rewriters are asked in the preference order the
finding gives (its `fixes`) for candidates on the *current* source (the original plus the rewrites
accepted so far, the finding's lines re-located through a difflib line map). A candidate for a
module-level function is verified at kernel level (`Verifier.verify_kernel`: one child runs the
current source and compares and times its function and the candidate's on the script's real inputs,
so a second rewrite of one function is judged by what it adds); others, and those the kernel check
cannot take, at script level against the current source's time. The first verified candidate
is kept and the rest (a rewriter's other variants too) are listed as not tried, unless `try_all`
(`--all`) tries every one and keeps the fastest, or the verified one is a vectorised kernel that
still takes a while (`RIVAL_LEFT_S`) and no later finding is in its function (Numba compiles the
whole function, those loops would be vectorised too): then Numba's first candidate is tried too,
and the one that saves more time per run is kept (imports and JIT compile counted; within 10%,
the earlier). Past the `deadline` (`--budget`) nothing more is tried and what was not is listed. A
rewriter that declines, or fails in any way, is recorded and never stops the command.

Then the whole script runs once for all accepted rewrites together (`_confirm`): same outputs and
files as the original, timed against the baseline's runs of the original only when the kernel
figures leave the whole-script speedup in doubt (the kernels cover most of the run, or a rewrite was
verified at script level), and where it loses to those, once more in runs alternating with the
original's (the machine's load may have changed since the baseline). If that fails, fewer rewrites
are confirmed in turn; an unconfirmed combination is never kept.
"""

from __future__ import annotations

import ast
import dataclasses
import difflib
import math
import time
from collections.abc import Callable, Iterable
from typing import Any

from optadvise import rewriters
from optadvise.apply import OriginalFile, encode_source, write_atomic
from optadvise.commands.profile import run_profile
from optadvise.commands.progress import spinner
from optadvise.commands.scale_out import scale_out as scale_out_pass
from optadvise.errors import EXIT_OK, EXIT_SCRIPT_FAILED, EXIT_TIMEOUT, OptadviseError
from optadvise.model import Attempt, Candidate, Finding, FixReport, KernelTiming, Profile, Verdict
from optadvise.report.diff import unified_diff
from optadvise.rewriters import Decline
from optadvise.rules.engine import get_rule
from optadvise.source import load_script
from optadvise.verify import Verifier, estimate_speedup


def line_map(before: str, after: str) -> dict[int, int]:
    """1-based line numbers of `before` that survive unchanged in `after`, mapped to their new numbers."""
    sm = difflib.SequenceMatcher(None, before.splitlines(), after.splitlines(), autojunk=False)
    out: dict[int, int] = {}
    for tag, i1, i2, j1, _j2 in sm.get_opcodes():
        if tag == "equal":
            for k in range(i2 - i1):
                out[i1 + k + 1] = j1 + k + 1
    return out


def relocate(finding: Finding, before: str, after: str) -> Finding | None:
    """The finding re-pointed at `after`, or None when one of its lines was changed."""
    if before == after:
        return finding
    m = line_map(before, after)
    lines = range(finding.lineno, max(finding.lineno, finding.end_lineno) + 1)
    if any(n not in m for n in lines):
        return None
    return dataclasses.replace(finding, lineno=m[finding.lineno], end_lineno=m[lines[-1]])


def select(findings: list[Finding], rule: str | None, function: str | None) -> list[Finding]:
    """The findings of `rule` (slug or code) in `function` (qualified name or its last part)."""
    out = findings
    if rule:
        out = [f for f in out if rule.lower() in (f.rule.lower(), f.code.lower())]
    if function:
        out = [f for f in out if f.function == function or f.function.endswith("." + function)]
    return out


def _propose(rw: Any, source: str, finding: Finding, profile: Profile | None,
             record: Callable[[str, str], None]) -> list[Candidate]:
    """Candidates from one rewriter; a Decline or any error is recorded, never raised."""
    kind = getattr(rw, "kind", type(rw).__name__)
    try:
        if not rw.applies(finding):
            return []
        got = rw.propose(source, finding, profile)
    except Decline as e:
        record(kind, f"declined: {e}")
        return []
    except Exception as e:  # noqa: BLE001 - a rewriter bug must never crash fix
        record(kind, f"rewriter error: {type(e).__name__}: {e}")
        return []
    good = []
    for c in got or []:
        if not isinstance(c, Candidate):
            record(kind, f"rewriter error: returned {type(c).__name__}, not a Candidate")
        elif c.new == source:
            record(kind, "declined: the candidate changes nothing")
        elif c.original != source:
            record(kind, "rewriter error: candidate made for another version of the source")
        else:
            try:
                ast.parse(c.new)
            except (SyntaxError, ValueError) as e:
                record(kind, f"rewriter error: candidate is not valid Python ({e})")
                continue
            good.append(c)
    if not got:
        record(kind, "declined: no candidate")
    return good


DOUBT_SHARE = 0.5  # kernels covering this share of the run get their whole-script speedup measured


def _ordered(rws: list[Any], finding: Finding) -> list[Any]:
    """The rewriters in the preference order the finding gives (its `fixes`), the rest after."""
    rank = {k: i for i, k in enumerate(finding.fixes)}
    return sorted(rws, key=lambda rw: rank.get(getattr(rw, "kind", ""), len(rank)))


def _combo(steps: list[Attempt], original: str, new: str) -> Candidate:
    cands = [a.verdict.candidate for a in steps if a.verdict is not None]
    return Candidate(rule="+".join(dict.fromkeys(a.finding.rule for a in steps)), kind="combined",
                     function=", ".join(dict.fromkeys(a.finding.function for a in steps)),
                     filename=cands[0].filename, lineno=cands[0].lineno,
                     description=f"{len(steps)} verified rewrite(s) together", original=original, new=new,
                     rtol=max(c.rtol for c in cands))


def _confirm(verifier: Verifier, report: FixReport, steps: list[tuple[Attempt, str]], original: str,
             min_speedup: float) -> str:
    """Run the whole script once for the accepted rewrites together (paired timing runs only when
    the kernel figures leave the whole-script speedup in doubt); on failure fall back to fewer
    rewrites, never keeping an unverified combination. Returns the final source."""
    base_s = verifier.baseline().median
    for n in range(len(steps), 0, -1):
        kept = [a for a, _ in steps[:n]]
        kernels = [a.verdict.kernel for a in kept if a.verdict is not None and a.verdict.kernel is not None]
        if not kernels and n == 1:  # one script-level rewrite: already verified and timed
            for a, _ in steps[1:]:
                a.applied = False
            return steps[1][1] if len(steps) > 1 else _new(kept[0])
        source = steps[n][1] if n < len(steps) else _new(kept[-1])
        est = estimate_speedup(base_s, kernels)
        doubt = len(kernels) < n or sum(k.total_original_s for k in kernels) >= DOUBT_SHARE * base_s
        combo, floor = _combo(kept, original, source), max(1.0, min(min_speedup, est))
        verdict = verifier.verify(combo, min_speedup=floor, function_level=False, timed=doubt, paired=False)
        if doubt and not verdict.accepted and verdict.speedup is not None:
            # same results, but slower than the baseline's earlier runs: time it again in alternation
            # with the original, under the same machine load, before giving it up
            verdict = verifier.verify(combo, min_speedup=floor, function_level=False, paired=True)
        if verdict.accepted and not doubt:
            verdict.speedup, verdict.script_measured = est, False
        report.combined = verdict
        if verdict.accepted:
            if n == 1 and kept[0].verdict is not None and verdict.script_measured:
                kept[0].verdict.speedup, kept[0].verdict.script_measured = verdict.speedup, True
            for a, _ in steps[n:]:
                a.applied = False
            if n < len(steps):
                report.notes.append(f"the {len(steps)} rewrites together did not verify; the first {n} are kept")
            return source
        report.notes.append(f"whole-script confirmation of {n} rewrite(s) failed: {verdict.reason}")
    for a, _ in steps:
        a.applied = False
    return original


def _new(a: Attempt) -> str:
    assert a.verdict is not None
    return a.verdict.candidate.new


def fix_source(verifier: Verifier, original: str, findings: Iterable[Finding], profile: Profile | None,
               rewriters: list[Any], *, min_speedup: float, name: str, args: list[str],
               try_all: bool = False, deadline: float = math.inf) -> FixReport:
    """The rewrite/verify loop over ranked findings (see the module docstring)."""
    findings = list(findings)
    report = FixReport(name, args, original, original, findings)
    current = original
    steps: list[tuple[Attempt, str]] = []  # accepted attempts and the source before each
    for at, finding in enumerate(findings):
        here = relocate(finding, original, current)
        if here is None:
            report.attempts.append(Attempt(finding, "-", declined="skipped: its code was changed by an "
                                                                   "earlier rewrite"))
            continue
        rows: list[Attempt] = []

        def record(kind: str, why: str, finding: Finding = finding, rows: list[Attempt] = rows) -> None:
            rows.append(Attempt(finding, kind, declined=why))

        best: Attempt | None = None
        proposed = False
        for rw in _ordered(rewriters, finding):
            kind = getattr(rw, "kind", type(rw).__name__)
            rival = (best is not None and not try_all and _worth_a_rival(best, kind)
                     and all(f.function != finding.function for f in findings[at + 1:]))
            if best is not None and not try_all and not rival:
                if rw.applies(finding):
                    record(kind, "not tried: an earlier candidate verified (--all tries every one)")
                continue
            if time.monotonic() > deadline:
                if rw.applies(finding):
                    record(kind, "not tried: the --budget was spent")
                continue
            for cand in _propose(rw, current, here, profile, record):
                proposed = True
                if best is not None and not try_all and not rival:  # a variant (e.g. parallel)
                    record(kind, f"not tried: {cand.description}: an earlier candidate verified "
                                 f"(--all tries every one)")
                    continue
                rival = False  # a rival rewriter gets one candidate
                reference = None if current == original else current
                verdict = verifier.verify_kernel(cand, min_speedup=min_speedup, reference=reference)
                if verdict is None:
                    verdict = verifier.verify(cand, min_speedup=min_speedup, reference=reference)
                att = Attempt(finding, cand.kind, verdict, diff=unified_diff(current, cand.new, name))
                rows.append(att)
                if verdict.accepted and (best is None or _faster(verdict, best.verdict)):
                    best = att
        if not proposed and not rows:
            rows.append(Attempt(finding, "-", declined="no rewriter addresses this finding"))
        if best is not None and best.verdict is not None:
            best.applied = True
            steps.append((best, current))
            current = best.verdict.candidate.new
        report.attempts.extend(rows)
    if steps:
        current = _confirm(verifier, report, steps, original, min_speedup)
    _numba_note(report)
    report.final = current
    return report


RIVALS = {"vectorize": "numba"}  # a verified rewrite of the first kind, and the kind that may beat it
RIVAL_LEFT_S = 0.25  # ... when the verified kernel still takes this long per run
TIE = 1.1  # a later candidate must save this many times the time an earlier one saves


def _worth_a_rival(best: Attempt, kind: str) -> bool:
    """Whether `kind` is also tried although `best` verified: a vectorised kernel that still takes
    RIVAL_LEFT_S per run may lose to Numba (whose import and compile then count against it)."""
    k = best.verdict.kernel if best.verdict is not None else None
    return RIVALS.get(best.kind) == kind and k is not None and _left(k) >= RIVAL_LEFT_S


def _faster(v: Verdict, than: Verdict | None) -> bool:
    """Whether `v` clearly beats the earlier `than` (ties keep the preference order): kernel verdicts
    compare the time saved per run (compile and imports counted) from the same original time,
    others whole-script speedups."""
    if than is None:
        return True
    if v.kernel is not None and than.kernel is not None:
        base = than.kernel.total_original_s  # one original figure for both: each run timed its own once
        return base - _left(v.kernel) > TIE * (base - _left(than.kernel))
    return (v.speedup or 0) > TIE * (than.speedup or 0)


def _left(k: KernelTiming) -> float:
    """The kernel's time per run after the rewrite: its calls at the candidate's median, and what
    it pays once (imports, JIT compile)."""
    return k.calls * k.t_candidate_s + k.compile_s


def _numba_note(report: FixReport) -> None:
    """Numba's cache is keyed by file: the first run of the written file compiles again."""
    for a in report.accepted:
        v = a.verdict
        if v is not None and a.kind == "numba" and v.compile_s:
            report.notes.append(f"numba: the first run of the rewritten script compiles {a.finding.function} "
                                f"again (~{v.compile_s:.2f} s measured with numba's import); later runs "
                                f"load numba's cache")


def run_fix(script: str, args: list[str], *, apply: bool, function: str | None, rule: str | None,
            json_mode: bool, min_speedup: float, timeout: float, try_all: bool = False,
            budget: float | None = None, scale_out: bool = False) -> tuple[FixReport, OptadviseError | None]:
    """`optadvise fix`: the report, and the error that stopped the write (to show after the report).
    `budget` (seconds, from the start) stops new candidates; the final confirmation still runs.

    Raises OptadviseError (code 3 or 4) when the script itself fails or times out."""
    deadline = math.inf if budget is None else time.monotonic() + budget
    source, _tree = load_script(script)
    original = OriginalFile.read(script)
    if original.text != source:
        raise OptadviseError(f"{script}: changed while it was being read; try again")
    if rule and get_rule(rule) is None:
        raise OptadviseError(f"unknown rule {rule!r}; `optadvise rules` lists them")
    # the rewriters (and LibCST) import while the profiled child runs: not after it, on the clock
    run = run_profile(script, list(args), timeout=timeout, json_mode=json_mode, capture=True,
                      preload=rewriters.module_names())
    if run.exit_code == EXIT_TIMEOUT or run.profile.timed_out:
        raise OptadviseError(f"{script} ran past the {timeout:g} s timeout; nothing to fix (raise --timeout)",
                             EXIT_TIMEOUT)
    if run.exit_code != EXIT_OK:
        why = "; ".join([run.profile.exception or f"exit status {run.profile.returncode}", *run.notes])
        raise OptadviseError(f"{script} itself failed ({why}); fix needs a script that runs cleanly",
                             EXIT_SCRIPT_FAILED)
    findings = select(run.findings, rule, function)
    with spinner("verifying") as progress, \
            Verifier(script, list(args), timeout=timeout, original=original, progress=progress) as ver:
        report = fix_source(ver, source, findings, run.profile, rewriters.load_all(),
                            min_speedup=min_speedup, name=script, args=list(args), try_all=try_all,
                            deadline=deadline)
        if scale_out:
            scale_out_pass(ver, report, run.profile, rewriters.load_all(), script)
    report.notes[:0] = list(run.notes)
    report.warnings = run.warnings
    report.run = run
    if not run.findings:
        report.notes.append("no findings: nothing to rewrite")
    elif not findings:
        report.notes.append("no findings match --rule/--function")
    failure: OptadviseError | None = None
    if apply and report.final != source:
        try:
            report.written = write_atomic(original, encode_source(report.final, original))
        except OptadviseError as e:
            failure = e
            report.notes.append(f"not written: {e}")
    return report, failure
