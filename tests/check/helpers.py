"""Test-only rules (the infrastructure must not depend on the real rules' heuristics) and helpers."""

from __future__ import annotations

import ast
import json
import os
import textwrap
from pathlib import Path

from click.testing import CliRunner, Result

from optadvise.cli import main
from optadvise.model import MODULE
from optadvise.rules.base import Rule, Site
from optadvise.rules.index import ModuleIndex


class PrintRule(Rule):
    """Flags every call of `print` (test only)."""

    slug = "print-call"
    code = "TST001"
    summary = "a call of print"

    def find(self, index: ModuleIndex) -> list[Site]:
        return [Site(c.node.lineno, c.node.end_lineno or c.node.lineno, c.node.col_offset, c.function,
                     "print called") for c in index.calls if c.name == "print"]


class EvalRule(Rule):
    """Flags every call of `eval`, confidently unless its argument is a bare name (test only)."""

    slug = "eval-call"
    code = "TST002"
    summary = "a call of eval"

    def find(self, index: ModuleIndex) -> list[Site]:
        return [Site(c.node.lineno, c.node.lineno, c.node.col_offset, MODULE, "eval called",
                     confident=not c.node.args or not isinstance(c.node.args[0], ast.Name))
                for c in index.calls if c.name == "eval"]


class CrashRule(Rule):
    """Raises on the first `boom()` call it meets (test only)."""

    slug = "crash"
    code = "TST003"
    summary = "crashes"

    def find(self, index: ModuleIndex) -> list[Site]:
        for node in ast.walk(index.tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "boom":
                raise KeyError("boom")
        return []


class RuntimeOnlyRule(Rule):
    """Needs runtime evidence (test only)."""

    slug = "runtime-only"
    code = "TST004"
    summary = "never static"
    static = False

    def find(self, index: ModuleIndex) -> list[Site]:
        return [Site(1, 1, 0, MODULE, "should never be reported by check")]


TEST_RULES: list[Rule] = [PrintRule(), EvalRule(), CrashRule(), RuntimeOnlyRule()]


def write(root: Path, rel: str, text: str | bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(textwrap.dedent(text))
    return path


def cli(args: list[str], cwd: Path) -> Result:
    """Run `optadvise ARGS` in `cwd` (CliRunner keeps stdout and stderr apart)."""
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, args, catch_exceptions=False)
    finally:
        os.chdir(old)


def cli_json(args: list[str], cwd: Path) -> tuple[int, dict]:
    result = cli([*args, "--output-format", "json"], cwd)
    return result.exit_code, json.loads(result.stdout)
