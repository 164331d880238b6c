"""Regressions: bugs found in `optadvise profile`, kept as tests once fixed."""

from __future__ import annotations

import pytest

from tests.helpers import function, profile_json, write

pytestmark = pytest.mark.slow


def test_loop_ending_in_an_if_body_is_profiled(tmp_path):
    """3.11's line-less JUMP_BACKWARD closing an `if` body has f_lineno None (fixed in c3fc6d6)."""
    write(tmp_path, "ifloop.py", """
        total = 0
        for i in range(2_000_000):
            if i:
                total = i
        print(total)
    """)
    proc, doc = profile_json("ifloop.py", cwd=tmp_path)
    assert proc.returncode == 0 and doc["exit_code"] == 0, proc.stderr
    assert function(doc, "<module>")["lines"]
