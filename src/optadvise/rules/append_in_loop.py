"""Rule append-in-loop (OA102)."""

from __future__ import annotations

from optadvise.rules.base import Rule


class AppendInLoop(Rule):
    """Array grown with np.append/np.concatenate/np.vstack inside a loop."""

    slug = "append-in-loop"
    code = "OA102"
    summary = "Array grown with np.append/np.concatenate/np.vstack inside a loop"
    fixes = ('vectorize',)
