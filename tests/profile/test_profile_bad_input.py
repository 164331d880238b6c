"""Bad input to `optadvise profile`: one `optadvise: error:` line on stderr, exit 2, nothing run."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from optadvise.cli import main
from tests.helpers import one_line_error, optadvise, write


def cli(args: list[str], cwd: Path):
    """In-process run for errors raised before any child starts (faster than a subprocess)."""
    runner = CliRunner()
    with runner.isolated_filesystem(temp_dir=cwd):
        return runner.invoke(main, args, catch_exceptions=False)


def assert_one_line(result, code: int = 2) -> str:
    assert result.exit_code == code, (result.exit_code, result.output)
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("optadvise: error: "), result.stderr
    assert "Traceback" not in result.output
    return lines[0]


def test_missing_file(tmp_path):
    proc = optadvise("profile", "nope.py", cwd=tmp_path)
    line = one_line_error(proc, 2)
    assert "nope.py" in line and "no such file" in line


def test_directory(tmp_path):
    (tmp_path / "pkg.py").mkdir()  # even a directory named like a script
    line = assert_one_line(cli(["profile", str(tmp_path / "pkg.py")], tmp_path))
    assert "is a directory" in line


def test_not_a_python_file(tmp_path):
    write(tmp_path, "data.txt", "print('hi')\n")
    line = assert_one_line(cli(["profile", str(tmp_path / "data.txt")], tmp_path))
    assert "data.txt" in line and "not a Python file" in line


def test_syntax_error_shows_file_and_line(tmp_path):
    script = write(tmp_path, "bad.py", "x = 1\ny = 2\ndef f(:\n    pass\n")
    line = assert_one_line(cli(["profile", str(script)], tmp_path))
    assert f"{script}:3:" in line and "syntax error" in line


def test_syntax_error_in_subprocess_has_no_traceback(tmp_path):
    write(tmp_path, "bad.py", "for\n")
    line = one_line_error(optadvise("profile", "bad.py", cwd=tmp_path), 2)
    assert "bad.py:1:" in line


def test_non_utf8_without_coding_line(tmp_path):
    script = tmp_path / "latin.py"
    script.write_bytes("s = 'café'\nprint(s)\n".encode("latin-1"))
    line = assert_one_line(cli(["profile", str(script)], tmp_path))
    assert "cannot decode" in line and "latin.py" in line


def test_null_byte_source(tmp_path):
    script = tmp_path / "nul.py"
    script.write_bytes(b"x = 1\x00\n")
    assert_one_line(cli(["profile", str(script)], tmp_path))


@pytest.mark.slow
def test_latin1_with_coding_line_runs(tmp_path):
    script = tmp_path / "latin.py"
    script.write_bytes("# -*- coding: latin-1 -*-\ns = 'café'\nprint(len(s), s.upper())\n"
                       .encode("latin-1"))
    proc = optadvise("profile", "latin.py", cwd=tmp_path,
                     env={**__import__("os").environ, "PYTHONIOENCODING": "utf-8"})
    assert proc.returncode == 0, proc.stderr
    assert "4 CAFÉ" in proc.stdout


def test_unknown_format_is_a_usage_error(tmp_path):
    write(tmp_path, "a.py", "x = 1\n")
    result = cli(["profile", "--format", "xml", str(tmp_path / "a.py")], tmp_path)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
