"""Bugs found in `optadvise profile`, pinned as strict xfails until fixed (then they must pass)."""

from __future__ import annotations

import pytest

from oa_run import function, profile_json, write

pytestmark = pytest.mark.slow


@pytest.mark.xfail(strict=True, reason="bug: harness._sample books frame.f_lineno, which is None at "
                   "3.11's line-less JUMP_BACKWARD closing an `if` body; _line_stats then crashes "
                   "sorting None with ints: harness traceback, no measurements, exit 3")
def test_loop_ending_in_an_if_body_is_profiled(tmp_path):
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
