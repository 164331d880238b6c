"""Exit codes: 0 clean, 1 findings (0 with --exit-zero), 2 usage errors, unparsable files and crashes."""

from __future__ import annotations

import pytest

from .helpers import cli, write

pytestmark = pytest.mark.usefixtures("with_test_rules")


@pytest.mark.parametrize("source, args, code", [
    ("x = 1\n", [], 0),
    ("print(1)\n", [], 1),
    ("print(1)\n", ["--exit-zero"], 0),
    ("print(1)\n", ["--select", "eval-call"], 0),
    ("print(1)\n", ["--ignore", "TST001"], 0),
    ("def f(:\n", [], 2),
    ("def f(:\n", ["--exit-zero"], 2),  # --exit-zero hides findings, never errors
    ("boom()\n", [], 2),  # a rule crashed
    ("x = 1\n", ["--select", "no-such-rule"], 2),
    ("x = 1\n", ["--output-format", "xml"], 2),
])
def test_exit_code(tmp_path, source, args, code):
    write(tmp_path, "a.py", source)
    assert cli(["check", "a.py", *args], tmp_path).exit_code == code


def test_unknown_rule_is_one_line(tmp_path):
    write(tmp_path, "a.py", "x = 1\n")
    result = cli(["check", "a.py", "--ignore", "OA999"], tmp_path)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "optadvise: error: unknown rule 'OA999' in the command line ignore; `optadvise rules` lists them"]


def test_missing_path_is_an_error_but_the_rest_is_checked(tmp_path):
    write(tmp_path, "a.py", "print(1)\n")
    result = cli(["check", "nope.py", "a.py"], tmp_path)
    assert result.exit_code == 2
    assert "nope.py:0:0: error: no such file or directory" in result.stderr
    assert "a.py:1:1: TST001" in result.stdout


def test_empty_folder_is_clean(tmp_path):
    result = cli(["check", "."], tmp_path)
    assert result.exit_code == 0
    assert "no Python files found" in result.stderr


def test_real_rules_run_by_default(tmp_path, monkeypatch):
    monkeypatch.undo()  # the shipped rules, not the test ones
    write(tmp_path, "a.py", "x = 1\n")
    assert cli(["check", "a.py"], tmp_path).exit_code == 0
