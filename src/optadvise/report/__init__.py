"""Renderers: the `profile` report here; `check` and `fix` have their own modules in this package."""

from __future__ import annotations

from typing import Any


def render_profile(*args: Any, **kwargs: Any) -> None:
    """Lazy front for `profile_report.render_profile` (keeps `check` start-up light)."""
    from optadvise.report.profile_report import render_profile as render

    render(*args, **kwargs)


__all__ = ["render_profile"]
