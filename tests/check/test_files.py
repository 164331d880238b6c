"""Which files get checked, and what happens with files that cannot be: errors with file:line, no crash."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from optadvise.commands.check import check_paths
from optadvise.config import Config

from .helpers import TEST_RULES, PrintRule, cli, cli_json, write

pytestmark = pytest.mark.usefixtures("with_test_rules")


def test_syntax_error_among_good_files(tmp_path):
    write(tmp_path, "a.py", "print(1)\n")
    write(tmp_path, "b.py", "x = 1\n\ndef f(:\n    pass\n")
    write(tmp_path, "c.py", "print(3)\n")
    result = cli(["check", "."], tmp_path)
    assert result.exit_code == 2
    assert "b.py:3:7: error: syntax error: invalid syntax" in result.stderr
    assert "a.py:1:1: TST001" in result.stdout and "c.py:1:1: TST001" in result.stdout
    _, doc = cli_json(["check", "."], tmp_path)
    assert doc["errors"] == [{"filename": "b.py", "lineno": 3, "col": 7, "kind": "syntax",
                              "message": "syntax error: invalid syntax"}]
    assert doc["summary"]["files"] == 3 and len(doc["findings"]) == 2


def test_non_utf8_file(tmp_path):
    write(tmp_path, "latin.py", b"x = 1\ns = '\xe9t\xe9'\nprint(s)\n")
    write(tmp_path, "declared.py", b"# -*- coding: latin-1 -*-\ns = '\xe9t\xe9'\nprint(s)\n")
    write(tmp_path, "bom.py", b"\xef\xbb\xbfprint('bom')\n")
    code, doc = cli_json(["check", "."], tmp_path)
    assert code == 2
    err, = doc["errors"]
    assert (err["filename"], err["lineno"], err["col"], err["kind"]) == ("latin.py", 2, 6, "decode")
    assert [(f["filename"], f["lineno"]) for f in doc["findings"]] == [("bom.py", 1), ("declared.py", 3)]


def test_null_bytes_and_bad_coding(tmp_path):
    write(tmp_path, "nul.py", b"x = 1\ny = '\x00'\n")
    write(tmp_path, "coding.py", b"# coding: no-such-codec\nx = 1\n")
    _, doc = cli_json(["check", "."], tmp_path)
    assert [(e["filename"], e["lineno"], e["kind"]) for e in doc["errors"]] == \
        [("coding.py", 1, "decode"), ("nul.py", 2, "syntax")]


def test_deeply_nested_code_is_checked_or_refused_never_a_crash(tmp_path):
    write(tmp_path, "deep.py", "x = " + " + ".join(["1"] * 15_000) + "\nprint(x)\n")
    write(tmp_path, "deeper.py", "x = " + " + ".join(["1"] * 200_000) + "\n")
    _, doc = cli_json(["check", "."], tmp_path)
    assert [(f["filename"], f["lineno"]) for f in doc["findings"]] == [("deep.py", 2)]
    assert [(e["filename"], e["kind"], e["message"]) for e in doc["errors"]] == \
        [("deeper.py", "syntax", "cannot parse: too deeply nested")]


def test_rule_crash_is_reported_with_its_line_and_the_rest_is_checked(tmp_path):
    write(tmp_path, "a.py", "x = 1\nboom()\nprint(2)\n")
    write(tmp_path, "b.py", "print(1)\n")
    code, doc = cli_json(["check", "."], tmp_path)
    assert code == 2
    err, = doc["errors"]
    assert (err["filename"], err["kind"]) == ("a.py", "internal")
    assert err["lineno"] == 2 and "rule crash (TST003): KeyError" in err["message"]
    assert [(f["filename"], f["lineno"]) for f in doc["findings"]] == [("a.py", 3), ("b.py", 1)]


def test_directory_walk(tmp_path):
    for rel in ["pkg/a.py", "pkg/sub/b.pyw", "pkg/notes.txt", "pkg/script", "pkg/.venv/lib/v.py",
                "pkg/build/x.py", "pkg/__pycache__/c.py", "pkg/node_modules/n.py", "pkg/.git/hooks/h.py"]:
        write(tmp_path, rel, "print(1)\n")
    _, doc = cli_json(["check", "pkg"], tmp_path)
    assert [f["filename"] for f in doc["findings"]] == ["pkg/a.py", "pkg/sub/b.pyw"]
    # a default-excluded folder or a non-.py file named explicitly is checked; duplicates once
    _, doc = cli_json(["check", "pkg/build", "pkg/script", "pkg/a.py", "./pkg/a.py"], tmp_path)
    assert [f["filename"] for f in doc["findings"]] == ["pkg/a.py", "pkg/build/x.py", "pkg/script"]
    _, doc = cli_json(["check", "./pkg/sub"], tmp_path)
    assert [f["filename"] for f in doc["findings"]] == ["pkg/sub/b.pyw"]
    _, doc = cli_json(["check"], tmp_path / "pkg")  # default: the current folder
    assert [f["filename"] for f in doc["findings"]] == ["a.py", "sub/b.pyw"]


def test_parallel_matches_serial(tmp_path):
    for i in range(40):
        write(tmp_path, f"m{i:02d}.py", "x = 1\n" * i + "print(x)\n" + ("boom()\n" if i == 7 else ""))
    write(tmp_path, "zbad.py", "def (:\n")
    serial = check_paths([str(tmp_path)], Config(), TEST_RULES, jobs=1)
    parallel = check_paths([str(tmp_path)], Config(), TEST_RULES, jobs=2)
    assert parallel.findings == serial.findings and len(serial.findings) == 40
    assert parallel.errors == serial.errors and len(serial.errors) == 2
    assert parallel.lines == serial.lines and parallel.files == serial.files == 41


def test_only_confident_sites_are_reported(tmp_path):
    write(tmp_path, "a.py", "eval('1')\neval(code)\n")
    result = check_paths([str(tmp_path / "a.py")], None, TEST_RULES)
    assert [(f.code, f.lineno) for f in result.findings] == [("TST002", 1)]


def test_injected_rules_only(tmp_path):
    write(tmp_path, "a.py", "print(1)\neval('1')\n")
    result = check_paths([str(tmp_path / "a.py")], None, [PrintRule()])
    assert [f.code for f in result.findings] == ["TST001"]
    assert result.findings[0].confidence == "static" and result.findings[0].severity == "low"


def test_check_never_executes_the_code(tmp_path):
    marker = tmp_path / "MARKER"
    evil = f"""\
        import sys, pathlib
        pathlib.Path({str(marker)!r}).write_text("ran")
        import numpy as np
        a = np.zeros(10)
        for i in range(len(a)):
            a[i] = i
        sys.exit(7)
        """
    write(tmp_path, "pkg/__init__.py", evil)
    write(tmp_path, "pkg/mod.py", evil)
    write(tmp_path, "conftest.py", evil)
    write(tmp_path, "setup.py", evil)
    env = dict(os.environ, PYTHONPATH=str(tmp_path))
    proc = subprocess.run([sys.executable, "-m", "optadvise", "check", ".", "--output-format", "json"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode in (0, 1), proc.stderr
    assert '"files": 4' in proc.stdout
    assert not marker.exists()
