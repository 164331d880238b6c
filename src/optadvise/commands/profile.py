"""`optadvise profile`: run the script under the profiler, then diagnose the run with the rule engine."""

from __future__ import annotations

import os

from optadvise import rules as registry
from optadvise.commands.progress import spinner
from optadvise.model import ProfileRun
from optadvise.profiling.runner import profile_script
from optadvise.rules.base import Rule
from optadvise.rules.engine import measured_findings
from optadvise.rules.index import ModuleIndex
from optadvise.source import load_script


def run_profile(script: str, args: list[str], *, timeout: float = 600.0, json_mode: bool = False,
                capture: bool = False) -> ProfileRun:
    """Profile `script` with `args` and rank what the rules find in the measurements.

    The script's output passes through (to stderr in json_mode), or is captured with `capture`
    (then no spinner either). Raises OptadviseError for bad input."""
    source, tree = load_script(script)
    with spinner(f"Profiling {script} (its output follows)…", enabled=not capture):
        run = profile_script(script, source, tree, args, timeout=timeout, json_mode=json_mode,
                             capture=capture)

    def warn(rule: Rule, e: Exception) -> None:
        run.warnings.append(f"optadvise: warning: rule {rule.slug} failed: {type(e).__name__}: {e}")

    index = ModuleIndex(source, os.path.abspath(script), tree)
    run.findings = measured_findings(run.profile, index, registry.RULES, on_error=warn)
    return run
