"""Memory per line: tracemalloc in the sampler's windows, in the JSON, the text and the HTML reports."""

from __future__ import annotations

import pytest

from tests.helpers import function, optadvise, profile_json, write

pytestmark = pytest.mark.slow

BIG_LINE, QUIET_LINE = 8, 11
ALLOCATES = """\
import numpy as np


def work(n):
    keep = []
    total = 0
    for i in range(n):
        keep.append(np.ones(200_000))  # 1.6 MB, the last three kept alive
        del keep[:-3]
        for k in range(1500):
            total += 0
    return total + len(keep)


print(work(8000))
"""


def test_the_line_that_allocates_a_big_array_leads_and_a_quiet_line_shows_none(tmp_path):
    script = write(tmp_path, "alloc.py", ALLOCATES)
    proc, doc = profile_json(script, cwd=tmp_path, extra=("--html", "report.html"))
    assert proc.returncode == 0, proc.stderr
    lines = {ln["lineno"]: ln for ln in function(doc, "work")["lines"]}
    big, quiet = lines[BIG_LINE], lines[QUIET_LINE]
    assert big["alloc_bytes"] >= 1_600_000 and big["peak_bytes"] >= 1_600_000
    assert big["peak_bytes"] <= big["alloc_bytes"]
    assert max(lines.values(), key=lambda ln: ln["alloc_bytes"]) is big
    assert quiet["hits"] > 0 and quiet["alloc_bytes"] < 64 * 1024
    page = (tmp_path / "report.html").read_text()
    assert "<th>alloc</th><th>peak</th>" in page and " MiB</td>" in page


def test_the_text_heat_listing_shows_the_alloc_column(tmp_path):
    script = write(tmp_path, "alloc.py", ALLOCATES)
    proc = optadvise("profile", str(script), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    header = next(line for line in proc.stdout.splitlines() if "alloc" in line and "source" in line)
    assert header.index("hits") < header.index("alloc") < header.index("peak") < header.index("source")
    row = next(line for line in proc.stdout.splitlines() if "np.ones(200_000)" in line)
    assert "MiB" in row
