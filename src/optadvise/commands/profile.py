"""`optadvise profile`: run the script under the profiler, then diagnose the run with the rule engine.

The child process starts first: the rule engine (and whatever renderer the caller names) is imported
while the script runs, on a core the script leaves idle, so start-up adds little to the run.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Sequence
from contextlib import ExitStack
from typing import TYPE_CHECKING

from optadvise.commands.progress import spinner
from optadvise.profiling.runner import profile_script
from optadvise.source import load_script

if TYPE_CHECKING:
    from optadvise.model import ProfileRun
    from optadvise.profiling.early import EarlyHarness

DIAGNOSIS = ("optadvise.rules", "optadvise.rules.engine", "optadvise.rules.index")


def run_profile(script: str, args: list[str], *, timeout: float = 600.0, json_mode: bool = False,
                capture: bool = False, preload: Sequence[str] = (),
                early: EarlyHarness | None = None) -> ProfileRun:
    """Profile `script` with `args` and rank what the rules find in the measurements.

    The script's output passes through (to stderr in json_mode), or is captured with `capture`
    (then no spinner either). `preload` names modules to import while the script runs (the
    renderer that follows); an `early` harness runs the script when given. Raises OptadviseError
    for bad input."""
    source, tree = load_script(script)
    with ExitStack() as stack:
        def started() -> None:
            stack.enter_context(spinner(f"Profiling {script} (its output follows)…", enabled=not capture))
            for module in (*DIAGNOSIS, *preload):
                importlib.import_module(module)

        run = profile_script(script, source, tree, args, timeout=timeout, json_mode=json_mode,
                             capture=capture, while_running=started, early=early)
    from optadvise import rules as registry  # imported while the script ran (`DIAGNOSIS`)
    from optadvise.rules.base import Rule
    from optadvise.rules.engine import measured_findings
    from optadvise.rules.index import ModuleIndex

    def warn(rule: Rule, e: Exception) -> None:
        run.warnings.append(f"optadvise: warning: rule {rule.slug} failed: {type(e).__name__}: {e}")

    index = ModuleIndex(source, os.path.abspath(script), tree)
    run.findings = measured_findings(run.profile, index, registry.RULES, on_error=warn)
    return run
