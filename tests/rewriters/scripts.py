"""Run a rewritten (or original) script in a child Python and read what it printed."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

NUMBER = re.compile(r"[-+]?\d+\.\d+(?:e[-+]\d+)?")


def run_script(code: str, folder: Path, timeout: float = 60) -> str:
    """Write `code` as s.py in `folder`, run it there, assert it succeeded, return its stdout."""
    path = folder / "s.py"
    path.write_text(code)
    r = subprocess.run([sys.executable, str(path)], cwd=folder, capture_output=True, text=True,
                       timeout=timeout)
    assert r.returncode == 0, r.stderr
    return r.stdout


def numbers(text: str) -> list[float]:
    return [float(x) for x in NUMBER.findall(text)]
