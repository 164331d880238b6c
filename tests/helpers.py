"""Shared test helpers: run `optadvise` in a real child process as a user would, and read what it printed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def write(tmp: Path, name: str, source: str, encoding: str = "utf-8") -> Path:
    """Write a dedented script into `tmp` and return its path."""
    path = tmp / name
    path.write_bytes(textwrap.dedent(source).encode(encoding))
    return path


def optadvise(*args: str, cwd: Path | str | None = None, env: dict[str, str] | None = None,
              timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`python -m optadvise ARGS` as a user would run it."""
    return subprocess.run([sys.executable, "-m", "optadvise", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def profile_json(script: Path | str, *args: str, cwd: Path | str | None = None,
                 env: dict[str, str] | None = None, extra: tuple[str, ...] = (),
                 ) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    """Profile with --format json; stdout must be exactly one JSON document."""
    proc = optadvise("profile", *extra, "--format", "json", str(script), *args, cwd=cwd, env=env)
    assert "Traceback" not in _own_stderr(proc.stderr), proc.stderr
    assert "site-packages/optadvise" not in proc.stderr and "src/optadvise" not in proc.stderr, proc.stderr
    try:
        doc = json.loads(proc.stdout)
    except ValueError as e:  # pragma: no cover - the failure message shows what was printed
        raise AssertionError(f"stdout is not one JSON document ({e}):\n{proc.stdout}\n{proc.stderr}") from e
    return proc, doc


def findings(doc: dict[str, Any], rule: str) -> list[dict[str, Any]]:
    return [f for f in doc["findings"] if f["rule"] == rule]


def function(doc: dict[str, Any], name: str) -> dict[str, Any]:
    matches = [f for f in doc["functions"] if f["name"] == name and f["user"]]
    assert matches, f"{name} not among {[f['name'] for f in doc['functions']]}"
    return matches[0]


def one_line_error(proc: subprocess.CompletedProcess[str], code: int) -> str:
    """Assert optadvise failed with `code` and exactly one `optadvise: error:` line; return it."""
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("optadvise: error: "), proc.stderr
    assert "Traceback" not in proc.stderr
    return lines[0]


def _own_stderr(stderr: str) -> str:
    """stderr without the script's own traceback (which is the script's output, not ours)."""
    keep, skipping = [], False
    for line in stderr.splitlines():
        if "Traceback (most recent call last):" in line:
            skipping = True
        elif skipping and line and not line.startswith(" "):
            skipping = False  # the exception line ends the script's traceback
            continue
        if not skipping:
            keep.append(line)
    return "\n".join(keep)


def env_with(**extra: str) -> dict[str, str]:
    return {**os.environ, **extra}
