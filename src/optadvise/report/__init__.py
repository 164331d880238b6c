"""Renderers: the terminal and JSON report of `profile` (other commands have their own modules here)."""

from optadvise.report.profile_report import render_profile

__all__ = ["render_profile"]
