"""The IPython extension (`%load_ext optadvise`): `%optadvise SCRIPT [ARGS]` and the `%%optadvise` cell magic.

The cell magic writes the cell's source to a hidden temporary script in the working directory (so
local imports and relative paths work as in the notebook), profiles it in a child process like
`optadvise profile`, and removes it. The child cannot see the notebook's variables: the names the
cell reads but never defines or imports are listed before the report. The report is HTML in a
notebook (a kernel with a display front end) and text in terminal IPython; `--html`/`--text` choose.
The last run is kept in the notebook as `_optadvise` (a `ProfileRun`).
"""

from __future__ import annotations

import ast
import builtins
import os
import shlex
import sys
import tempfile
from typing import Any

from IPython.core.magic import Magics, line_cell_magic, magics_class
from IPython.display import HTML, display

from optadvise.api import profile
from optadvise.errors import OptadviseError
from optadvise.model import ProfileRun
from optadvise.report.html import render_profile_html
from optadvise.report.profile_text import render_profile_text
from optadvise.report.terminal import stdout_terminal

USAGE = "usage: %optadvise [--html|--text] [--timeout S] SCRIPT [ARGS...]  or  %%optadvise [options] [ARGS...]"


def unseen_names(source: str) -> list[str]:
    """Names the code reads that it never defines, imports or gets from builtins, in first-use order."""
    tree = ast.parse(source)
    defined: set[str] = set()
    read: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (read.append(node.id) if isinstance(node.ctx, ast.Load) else defined.add(node.id))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defined.add(node.name)
        elif isinstance(node, ast.arg):
            defined.add(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            defined.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            defined.add(node.name)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            defined.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            defined.add(node.rest)
    return [n for n in dict.fromkeys(read) if n not in defined and not hasattr(builtins, n)]


def _parse(line: str) -> tuple[str | None, float, list[str]]:
    """The magic's own options (--html / --text, --timeout S), then what goes to the script."""
    words = shlex.split(line)
    mode: str | None = None
    timeout = 600.0
    while words and words[0] in ("--html", "--text", "--timeout"):
        word = words.pop(0)
        if word == "--timeout":
            if not words:
                raise OptadviseError(f"--timeout needs a number of seconds; {USAGE}")
            try:
                timeout = float(words.pop(0))
            except ValueError as e:
                raise OptadviseError(f"--timeout needs a number of seconds; {USAGE}") from e
        else:
            mode = word[2:]
    return mode, timeout, words


def _cell_script(cell: str) -> str:
    """The cell as a hidden script in the working directory (or a temporary folder if it is read-only)."""
    for folder in (os.getcwd(), None):
        try:
            fd, path = tempfile.mkstemp(prefix=".optadvise_cell_", suffix=".py", dir=folder)
        except OSError:
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(cell)
        return path
    raise OptadviseError("cannot write the cell to a temporary script")


@magics_class
class OptadviseMagics(Magics):
    """`%optadvise` and `%%optadvise`."""

    @line_cell_magic
    def optadvise(self, line: str, cell: str | None = None) -> None:
        try:
            self._run(line, cell)
        except OptadviseError as e:
            print(f"optadvise: error: {e}", file=sys.stderr)

    def _run(self, line: str, cell: str | None) -> None:
        mode, timeout, words = _parse(line)
        if cell is None:
            if not words:
                raise OptadviseError(USAGE)
            run = profile(words[0], words[1:], timeout=timeout)
        else:
            try:
                missing = unseen_names(cell)
            except SyntaxError as e:
                raise OptadviseError(f"the cell is not valid Python: {e}") from e
            if missing:
                print("optadvise: the cell runs in a fresh Python process and cannot see these names from "
                      f"the notebook (read but not defined or imported in the cell): {', '.join(missing)}",
                      file=sys.stderr)
            path = _cell_script(cell)
            try:
                run = profile(path, words, timeout=timeout)
            finally:
                os.unlink(path)
        shell = self.shell
        if shell is not None:
            shell.user_ns["_optadvise"] = run
        show(run, html=(mode == "html") if mode else getattr(shell, "kernel", None) is not None)


def show(run: ProfileRun, html: bool) -> None:
    """The script's own output, then the report: HTML through IPython's display, or text."""
    sys.stdout.write(run.stdout)
    sys.stderr.write(run.stderr)
    for warning in run.warnings:
        print(warning, file=sys.stderr)
    if html:
        display(HTML(render_profile_html(run)))
    else:
        sys.stdout.write(render_profile_text(run, stdout_terminal()))


def register(ipython: Any) -> None:
    ipython.register_magics(OptadviseMagics)
