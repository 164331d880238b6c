"""`optadvise fix`: profile, diagnose, rewrite, verify, and (with --apply) write what was verified.

Findings are taken in rank order. For each, every rewriter that applies proposes candidates for the
*current* source (the original plus the rewrites accepted so far, the finding's lines re-located
through a difflib line map); each candidate is verified against the ORIGINAL script's behaviour and
must beat the current source's time by --min-speedup; the fastest verified one becomes the new current
source. A rewriter that declines, or fails in any way, is recorded and never stops the command. When
more than one rewrite was accepted, the combined source is verified once more against the original
(script level, timing); if that fails, only the first verified rewrite is kept.
"""

from __future__ import annotations

import ast
import dataclasses
import difflib
from collections.abc import Callable, Iterable
from typing import Any

from optadvise import rewriters
from optadvise.apply import OriginalFile, encode_source, write_atomic
from optadvise.commands.profile import run_profile
from optadvise.commands.progress import spinner
from optadvise.commands.scale_out import scale_out as scale_out_pass
from optadvise.errors import EXIT_OK, EXIT_SCRIPT_FAILED, EXIT_TIMEOUT, OptadviseError
from optadvise.model import Attempt, Candidate, Finding, FixReport, Profile
from optadvise.report.diff import unified_diff
from optadvise.rewriters import Decline
from optadvise.rules.engine import get_rule
from optadvise.source import load_script
from optadvise.verify import Verifier


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


def fix_source(verifier: Verifier, original: str, findings: Iterable[Finding], profile: Profile | None,
               rewriters: list[Any], *, min_speedup: float, name: str, args: list[str]) -> FixReport:
    """The rewrite/verify loop over ranked findings (see the module docstring)."""
    findings = list(findings)
    report = FixReport(name, args, original, original, findings)
    current = original
    steps: list[tuple[Attempt, str]] = []  # accepted attempts and the source before each
    for finding in findings:
        here = relocate(finding, original, current)
        if here is None:
            report.attempts.append(Attempt(finding, "-", declined="skipped: its code was changed by an "
                                                                   "earlier rewrite"))
            continue
        rows: list[Attempt] = []

        def record(kind: str, why: str, finding: Finding = finding, rows: list[Attempt] = rows) -> None:
            rows.append(Attempt(finding, kind, declined=why))

        candidates = [c for rw in rewriters for c in _propose(rw, current, here, profile, record)]
        if not candidates and not rows:
            rows.append(Attempt(finding, "-", declined="no rewriter addresses this finding"))
        best: Attempt | None = None
        for cand in candidates:
            verdict = verifier.verify(cand, min_speedup=min_speedup, reference=None if current == original else current)
            att = Attempt(finding, cand.kind, verdict, diff=unified_diff(current, cand.new, name))
            rows.append(att)
            if verdict.accepted and (best is None or (verdict.speedup or 0) > (best.verdict.speedup or 0)):  # type: ignore[union-attr]
                best = att
        if best is not None:
            best.applied = True
            steps.append((best, current))
            current = best.verdict.candidate.new  # type: ignore[union-attr]
        report.attempts.extend(rows)
    if len(steps) > 1:
        first = steps[0][0].verdict.candidate  # type: ignore[union-attr]
        combo = Candidate(rule="+".join(dict.fromkeys(a.finding.rule for a, _ in steps)), kind="combined",
                          function=", ".join(dict.fromkeys(a.finding.function for a, _ in steps)),
                          filename=first.filename, lineno=first.lineno,
                          description=f"{len(steps)} verified rewrites together", original=original,
                          new=current, rtol=max(a.verdict.candidate.rtol for a, _ in steps))  # type: ignore[union-attr]
        report.combined = verifier.verify(combo, min_speedup=min_speedup, function_level=False)
        if not report.combined.accepted:
            for a, _ in steps[1:]:
                a.applied = False
            current = steps[0][0].verdict.candidate.new  # type: ignore[union-attr]
            report.notes.append(f"the rewrites together did not verify ({report.combined.reason}); "
                                f"only the first is kept")
    report.final = current
    return report


def run_fix(script: str, args: list[str], *, apply: bool, function: str | None, rule: str | None,
            json_mode: bool, min_speedup: float, timeout: float,
            scale_out: bool = False) -> tuple[FixReport, OptadviseError | None]:
    """`optadvise fix`: the report, and the error that stopped the write (to show after the report).

    Raises OptadviseError (code 3 or 4) when the script itself fails or times out."""
    source, _tree = load_script(script)
    original = OriginalFile.read(script)
    if original.text != source:
        raise OptadviseError(f"{script}: changed while it was being read; try again")
    if rule and get_rule(rule) is None:
        raise OptadviseError(f"unknown rule {rule!r}; `optadvise rules` lists them")
    run = run_profile(script, list(args), timeout=timeout, json_mode=json_mode, capture=True)
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
                            min_speedup=min_speedup, name=script, args=list(args))
        if scale_out:
            scale_out_pass(ver, report, run.profile, rewriters.load_all(), script)
    report.notes[:0] = list(run.notes)
    report.warnings = run.warnings
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
