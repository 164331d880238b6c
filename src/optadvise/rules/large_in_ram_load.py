"""Rule large-in-ram-load (OA401)."""

from __future__ import annotations

from optadvise.rules.base import Rule


class LargeInRamLoad(Rule):
    """Whole large file loaded into RAM where a slice, a stream or a memory map serves."""

    slug = "large-in-ram-load"
    code = "OA401"
    summary = "Whole large file loaded into RAM where a slice, a stream or a memory map serves"
    fixes = ('memmap',)
