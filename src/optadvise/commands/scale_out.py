"""`fix --scale-out`: the scale-out version (Dask) of each remedy the rewrite/verify loop applied.

A scale-out rewriter names the rewrite kind it `follows` (`dask-pool` follows `processpool`,
`dask-array` follows `memmap`) and is
given the current source once that rewrite was applied. Its candidate must be equivalent to the
original script like every rewrite, but is exempt from the speed requirement: a local cluster is
rarely faster than local processes, and the point is to run on more machines than this one. The
verdict therefore states the local timing next to the equivalence check, and a scale-out rewrite is
applied only because the user asked for it.
"""

from __future__ import annotations

from typing import Any

from optadvise.model import Attempt, FixReport, Profile
from optadvise.report.diff import unified_diff
from optadvise.rewriters import Decline
from optadvise.rewriters.base import ScaleOutRewriter
from optadvise.verify import Verifier


def scale_out(verifier: Verifier, report: FixReport, profile: Profile | None, rewriters: list[Any],
              name: str) -> None:
    """Add, verify and (when equivalent) apply the scale-out rewrites of `report`'s applied remedies."""
    followers = {rw.follows: rw for rw in rewriters if isinstance(rw, ScaleOutRewriter)}
    current = report.final
    for done in [a for a in report.attempts if a.applied]:
        rw = followers.get(done.kind)
        if rw is None:
            continue
        try:
            candidates = rw.propose(current, done.finding, profile)
        except Decline as e:
            report.attempts.append(Attempt(done.finding, rw.kind, declined=f"declined: {e}"))
            continue
        for cand in candidates:
            verdict = verifier.verify(cand, min_speedup=0.0, reference=current, function_level=False)
            if verdict.accepted:
                verdict.reason = (f"equivalent (same results); scale-out, not a speed-up here: "
                                  f"{verdict.t_candidate_s or 0:.2f} s run locally against "
                                  f"{verdict.t_original_s or 0:.2f} s for the {done.kind} version "
                                  f"({verdict.speedup or 0:.2f}x)")
            row = Attempt(done.finding, cand.kind, verdict, diff=unified_diff(current, cand.new, name))
            report.attempts.append(row)
            if verdict.accepted:
                row.applied = True
                current = cand.new
                break
    if current == report.final and followers and not any(a.kind in followers for a in report.accepted):
        report.notes.append("--scale-out: no verified process-pool or memory-map remedy to scale out")
    report.final = current
