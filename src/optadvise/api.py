"""The Python API: `profile`, `fix` and `check` return the same typed records the CLI renders.

    import optadvise
    run = optadvise.profile("script.py", args=["--n", "1000"])   # ProfileRun
    report = optadvise.fix("script.py")                          # FixReport (nothing written)
    result = optadvise.check(["src/"])                           # CheckResult

Bad input raises `optadvise.errors.OptadviseError` (its `code` is the CLI's exit code).
"""

from __future__ import annotations

from collections.abc import Sequence

from optadvise.commands.check import run_check
from optadvise.commands.fix import run_fix
from optadvise.commands.profile import run_profile
from optadvise.model import CheckResult, FixReport, ProfileRun


def profile(path: str, args: Sequence[str] = (), *, timeout: float = 600.0, capture: bool = True) -> ProfileRun:
    """Run the script at `path` with `args` in a child process, profile it, and diagnose the run.

    With `capture` (the default) the script's output is kept in `run.stdout`/`run.stderr` instead of
    passing through. `run.profile` holds the measurements, `run.findings` what the rules found."""
    return run_profile(path, list(args), timeout=timeout, capture=capture)


def fix(path: str, args: Sequence[str] = (), *, apply: bool = False, rule: str | None = None,
        function: str | None = None, min_speedup: float = 1.1, timeout: float = 600.0) -> FixReport:
    """Propose, verify and (with `apply`) write rewrites of the script at `path`.

    Raises OptadviseError when the script fails or times out, or when `apply` could not write."""
    report, failure = run_fix(path, list(args), apply=apply, function=function, rule=rule, json_mode=False,
                              min_speedup=min_speedup, timeout=timeout)
    if failure is not None:
        raise failure
    return report


def check(paths: Sequence[str] = (".",), *, select: str | None = None, ignore: str | None = None,
          config_path: str | None = None, no_config: bool = False, jobs: int | None = None) -> CheckResult:
    """Statically check files and folders (never runs them); `[tool.optadvise]` config applies."""
    if isinstance(paths, str):
        paths = [paths]
    result, _fmt = run_check(list(paths), select=select, ignore=ignore, config_path=config_path,
                             no_config=no_config, jobs=jobs)
    return result
