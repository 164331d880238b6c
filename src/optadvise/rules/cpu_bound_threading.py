"""Rule cpu-bound-threading (OA301)."""

from __future__ import annotations

from optadvise.rules.base import Rule


class CpuBoundThreading(Rule):
    """Threads doing CPU-bound Python work, serialised by the GIL."""

    slug = "cpu-bound-threading"
    code = "OA301"
    summary = "Threads doing CPU-bound Python work, serialised by the GIL"
    fixes = ('processpool',)
