"""Unified diffs of two versions of a script (`a/NAME` -> `b/NAME`), and the patch `fix --diff` prints.

Lines are split on "\\n" only (a form feed or other line break inside a line stays in it, as in the
file), and a last line without a newline is marked as git and patch expect.
"""

from __future__ import annotations

import difflib
import os
import re

from optadvise.model import FixReport

NO_NEWLINE = "\\ No newline at end of file\n"
_LINE = re.compile(r"[^\n]*\n|[^\n]+\Z")


def unified_diff(before: str, after: str, name: str) -> str:
    out = []
    for line in difflib.unified_diff(_LINE.findall(before), _LINE.findall(after),
                                     fromfile=f"a/{name}", tofile=f"b/{name}"):
        out.append(line if line.endswith("\n") else line + "\n" + NO_NEWLINE)
    return "".join(out)


def patch_path(script: str) -> str:
    """The script's path as a patch names it: relative to the working directory, with "/"."""
    rel = os.path.relpath(os.path.abspath(script))
    path = script if rel.startswith("..") else rel
    return path.replace(os.sep, "/")


def render_patch(report: FixReport) -> str:
    """The unified diff of the verified rewrites (empty when nothing was verified): `git apply` input."""
    return unified_diff(report.original, report.final, patch_path(report.script))
