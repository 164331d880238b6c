"""[tool.optadvise]: discovery walking up, select/ignore/per-file-ignores/exclude, flags over config."""

from __future__ import annotations

import pytest

from optadvise.config import find_pyproject, glob_match, load_config
from optadvise.errors import OptadviseError

from .helpers import cli, cli_json, write

pytestmark = pytest.mark.usefixtures("with_test_rules")

TWO = "print(1)\neval('1')\n"


def codes(doc: dict) -> list[tuple[str, str]]:
    return [(f["filename"], f["code"]) for f in doc["findings"]]


def test_discovery_walks_up_past_a_pyproject_without_our_table(tmp_path):
    write(tmp_path, "pyproject.toml", '[tool.optadvise]\nignore = ["print-call"]\n')
    write(tmp_path, "sub/pyproject.toml", '[project]\nname = "sub"\n')
    write(tmp_path, "sub/pkg/a.py", TWO)
    assert find_pyproject([str(tmp_path / "sub/pkg/a.py")]) == str(tmp_path / "pyproject.toml")
    _, doc = cli_json(["check", "pkg"], tmp_path / "sub")
    assert codes(doc) == [("pkg/a.py", "TST002")]


def test_nearest_table_wins_and_no_config_ignores_it(tmp_path):
    write(tmp_path, "pyproject.toml", '[tool.optadvise]\nignore = ["print-call"]\n')
    write(tmp_path, "sub/pyproject.toml", '[tool.optadvise]\nignore = ["eval-call"]\n')
    write(tmp_path, "sub/a.py", TWO)
    assert codes(cli_json(["check", "sub/a.py"], tmp_path)[1]) == [("sub/a.py", "TST001")]
    assert codes(cli_json(["check", "sub/a.py", "--no-config"], tmp_path)[1]) == \
        [("sub/a.py", "TST001"), ("sub/a.py", "TST002")]
    other = write(tmp_path, "elsewhere/conf.toml", '[tool.optadvise]\nselect = ["TST002"]\n')
    assert codes(cli_json(["check", "sub/a.py", "--config", str(other)], tmp_path)[1]) == \
        [("sub/a.py", "TST002")]


def test_select_and_command_line_override(tmp_path):
    write(tmp_path, "pyproject.toml", '[tool.optadvise]\nselect = ["TST001"]\n')
    write(tmp_path, "a.py", TWO)
    assert codes(cli_json(["check", "a.py"], tmp_path)[1]) == [("a.py", "TST001")]
    assert codes(cli_json(["check", "a.py", "--select", "eval-call"], tmp_path)[1]) == [("a.py", "TST002")]
    assert codes(cli_json(["check", "a.py", "--ignore", "TST001"], tmp_path)[1]) == []


def test_command_line_select_replaces_config_ignore(tmp_path):
    write(tmp_path, "pyproject.toml", '[tool.optadvise]\nignore = ["TST001"]\noutput-format = "github"\n')
    write(tmp_path, "a.py", TWO)
    assert codes(cli_json(["check", "a.py"], tmp_path)[1]) == [("a.py", "TST002")]
    assert codes(cli_json(["check", "a.py", "--select", "TST001,TST002"], tmp_path)[1]) == \
        [("a.py", "TST001"), ("a.py", "TST002")]
    # output-format from the config, and the flag beats it
    assert cli(["check", "a.py"], tmp_path).stdout.startswith("::warning file=a.py,line=2")
    assert cli(["check", "a.py", "--output-format", "text"], tmp_path).stdout.startswith("a.py\n")


def test_per_file_ignores_and_exclude(tmp_path):
    write(tmp_path, "pyproject.toml", """\
        [tool.optadvise]
        exclude = ["generated", "legacy_*.py", "docs/**/conf.py"]
        [tool.optadvise.per-file-ignores]
        "tests/**" = ["print-call"]
        "scripts/*.py" = ["TST001", "eval-call"]
        """)
    for rel in ["src/a.py", "tests/unit/test_a.py", "scripts/run.py", "generated/g.py", "src/legacy_x.py",
                "docs/en/conf.py", "docs/en/other.py"]:
        write(tmp_path, rel, TWO)
    _, doc = cli_json(["check", "."], tmp_path)
    assert codes(doc) == [("docs/en/other.py", "TST001"), ("docs/en/other.py", "TST002"),
                          ("src/a.py", "TST001"), ("src/a.py", "TST002"),
                          ("tests/unit/test_a.py", "TST002")]
    # exclude applies to explicitly named files too (pre-commit passes file names)
    _, doc = cli_json(["check", "generated/g.py", "src/legacy_x.py"], tmp_path)
    assert doc["summary"]["files"] == 0


@pytest.mark.parametrize("toml, message", [
    ("[tool.optadvise]\nselekt = ['TST001']\n", "unknown key 'selekt'"),
    ("[tool.optadvise]\nselect = ['no-such-rule']\n", "unknown rule 'no-such-rule' in"),
    ("[tool.optadvise.per-file-ignores]\n'a.py' = ['OA999']\n", "unknown rule 'OA999' in"),
    ("[tool.optadvise]\nselect = 3\n", "select must be a list of strings"),
    ("[tool.optadvise]\noutput-format = 'xml'\n", "output-format must be one of"),
    ("[tool.optadvise.thresholds]\nmin-array-size = 10\n", "unknown key 'thresholds'"),
    ("[tool.optadvise\n", "invalid TOML"),
])
def test_bad_config_is_a_one_line_error(tmp_path, toml, message):
    write(tmp_path, "pyproject.toml", toml)
    write(tmp_path, "a.py", "x = 1\n")
    result = cli(["check", "a.py"], tmp_path)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("optadvise: error: ") and message in lines[0], lines
    assert "pyproject.toml" in lines[0]


def test_unknown_key_error_names_the_key(tmp_path):
    path = write(tmp_path, "pyproject.toml", "[tool.optadvise]\nper_file_ignores = {}\n")
    with pytest.raises(OptadviseError, match="did you mean 'per-file-ignores'"):
        load_config(str(path))


@pytest.mark.parametrize("pattern, path, hit", [
    ("build", "a/build/x.py", True),
    ("build", "a/builder/x.py", False),
    ("*_pb2.py", "pkg/m_pb2.py", True),
    ("tests/**", "tests/a/b.py", True),
    ("tests/**", "src/tests/b.py", False),
    ("**/tests/*.py", "src/tests/b.py", True),
    ("src/gen", "src/gen/deep/x.py", True),
    ("src/*.py", "src/sub/x.py", False),
    ("./src/x.py", "src/x.py", True),
])
def test_glob_match(pattern, path, hit):
    assert glob_match(pattern, path) is hit
