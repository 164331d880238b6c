"""Renderers: the `profile` report here; `check` and `fix` have their own modules in this package."""

from __future__ import annotations

from typing import Any


def render_profile(run: Any, fmt: str = "text", output: str | None = None, top: int = 5) -> None:
    """Print (or write to `output`) the report of one profiled run. Imported lazily: `check` and
    JSON output never pay for rich."""
    if fmt == "json":
        from optadvise.report.profile_json import write_profile_json

        write_profile_json(run, output)
        return
    from optadvise.report.profile_report import render_profile_text

    render_profile_text(run, output, top)


__all__ = ["render_profile"]
