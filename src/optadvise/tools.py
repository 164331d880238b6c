"""Helper executables (py-spy, ...) found where optadvise is installed before PATH.

Run as `.venv/bin/optadvise` without activating the environment, or installed with pipx, the tools
installed beside optadvise are in the running interpreter's scripts folder, which PATH may not name.
"""

from __future__ import annotations

import os
import shutil
import sys
import sysconfig
from pathlib import Path


def tool_dirs() -> list[str]:
    """The running interpreter's scripts folders, first the one sysconfig names, then its own folder."""
    dirs = [sysconfig.get_path("scripts"), str(Path(sys.executable).parent)]
    return list(dict.fromkeys(d for d in dirs if d))


def find_tool(name: str) -> str | None:
    """The path of executable `name`: beside the running interpreter first, then on PATH; None if absent."""
    for folder in tool_dirs():
        found = shutil.which(name, path=folder)
        if found:
            return found
    return shutil.which(name, path=os.environ.get("PATH"))
