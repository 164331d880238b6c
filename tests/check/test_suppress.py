"""`# noqa[: CODES]` and `# optadvise: ignore[slugs]` on the flagged line."""

from __future__ import annotations

import pytest

from optadvise.suppress import directives

from .helpers import cli_json, write

pytestmark = pytest.mark.usefixtures("with_test_rules")


@pytest.mark.parametrize("line, kept", [
    ("print(1)", True),
    ("print(1)  # noqa", False),
    ("print(1)  # NOQA", False),
    ("print(1)  # noqa: TST001", False),
    ("print(1)  # noqa:TST002,TST001 reason", False),
    ("print(1)  # noqa: E501", True),
    ("print(1)  # noqa: TST002", True),
    ("print(1)  # noqatest", True),
    ("print(1)  # optadvise: ignore", False),
    ("print(1)  # optadvise: ignore[print-call]", False),
    ("print(1)  # optadvise: ignore[eval-call, TST001]", False),
    ("print(1)  # optadvise: ignore[eval-call]", True),
    ("print(1)  # type: ignore  # noqa: TST001", False),
    ("print('# noqa')", True),  # inside a string, not a comment
    ("print('''\n# noqa\n''')", True),
])
def test_suppression(tmp_path, line, kept):
    write(tmp_path, "a.py", line + "\n")
    code, doc = cli_json(["check", "a.py"], tmp_path)
    assert [f["code"] for f in doc["findings"]] == (["TST001"] if kept else [])
    assert doc["summary"]["suppressed"] == (0 if kept else 1)
    assert code == (1 if kept else 0)


def test_suppression_is_per_line(tmp_path):
    write(tmp_path, "a.py", "print(1)  # noqa\nprint(2)\n")
    _, doc = cli_json(["check", "a.py"], tmp_path)
    assert [f["lineno"] for f in doc["findings"]] == [2]


def test_directives():
    assert directives("# noqa: OA101, loop-over-ndarray") == {"oa101", "loop-over-ndarray"}
    assert directives("# nothing here") == frozenset()
