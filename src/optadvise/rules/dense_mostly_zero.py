"""Rule dense-mostly-zero (OA201)."""

from __future__ import annotations

from optadvise.rules.base import Rule


class DenseMostlyZero(Rule):
    """Large dense 2-D array that is mostly zeros and is multiplied or solved with."""

    slug = "dense-mostly-zero"
    code = "OA201"
    summary = "Large dense 2-D array that is mostly zeros and is multiplied or solved with"
    fixes = ('sparse',)
