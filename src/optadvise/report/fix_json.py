"""The `fix` report as one JSON document: findings, verdicts, declines, the combined verdict, the diff."""

from __future__ import annotations

import json
from typing import Any

from optadvise import __version__
from optadvise.model import FixReport, Verdict, to_dict
from optadvise.report.diff import unified_diff


def render_fix_json(report: FixReport, apply: bool = False) -> str:
    return json.dumps(fix_document(report, apply), indent=2, default=str) + "\n"


def _verdict_dict(v: Verdict, diff: str) -> dict[str, Any]:
    d = to_dict(v)
    cand = d.pop("candidate")
    cand.pop("original", None)
    cand.pop("new", None)
    if v.kernel is not None:  # the function's own figures beside the whole-script `speedup`
        d["kernel"].update(speedup=v.kernel.speedup, total_candidate_s=v.kernel.total_candidate_s)
    return {**cand, **d, "diff": diff}


def fix_document(report: FixReport, apply: bool = False) -> dict[str, Any]:
    """JSON: findings, verdicts (Verdict fields, candidate fields minus whole sources, plus `diff`
    and `applied`; `kernel` holds the function's per-call and total times and speedup, `speedup` the
    whole script's, measured or estimated per `script_measured`), declines, the combined verdict,
    what was written, exit code and notes."""
    verdicts, declines = [], []
    for a in report.attempts:
        if a.verdict is not None:
            verdicts.append({**_verdict_dict(a.verdict, a.diff), "code": a.finding.code, "applied": a.applied})
        else:
            declines.append({"rule": a.finding.rule, "code": a.finding.code, "function": a.finding.function,
                             "lineno": a.finding.lineno, "kind": a.kind, "reason": a.declined})
    return {
        "optadvise": __version__,
        "script": report.script,
        "args": report.args,
        "findings": [to_dict(f) for f in report.findings],
        "verdicts": verdicts,
        "declines": declines,
        "combined": _verdict_dict(report.combined, "") if report.combined else None,
        "diff": unified_diff(report.original, report.final, report.script),
        "apply": apply,
        "written": report.written,
        "exit_code": report.exit_code,
        "notes": report.notes,
    }
