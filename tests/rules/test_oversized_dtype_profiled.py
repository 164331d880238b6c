"""oversized-dtype (OA602) through the real profiler: value ranges observed on real int64 arrays."""

from __future__ import annotations

import pytest

from tests.helpers import findings, profile_json, write

pytestmark = pytest.mark.slow


def test_small_valued_int64_array_is_reported_and_a_wide_one_is_not(tmp_path):
    write(tmp_path, "labels.py", """
        import numpy as np

        rng = np.random.default_rng(0)
        labels = rng.integers(0, 1000, 6_000_000)
        ids = rng.integers(0, 2**40, 6_000_000)
        counts = np.bincount(labels)
        print(counts.max(), int(ids.max() > 2**39))
    """)
    proc, doc = profile_json("labels.py", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    arrays = {a["name"]: a for a in doc["arrays"]}
    assert 0 <= arrays["labels"]["value_min"] and arrays["labels"]["value_max"] <= 999
    assert arrays["ids"]["value_max"] > 2**31
    [f] = findings(doc, "oversized-dtype")
    ev = f["evidence"]
    assert f["lineno"] == 5 and ev["name"] == "labels" and ev["fits"] == "int16"
    assert ev["nbytes"] == 48_000_000 and ev["saved_bytes"] == 36_000_000
    assert ev["peak_rss_bytes"] >= ev["nbytes"]
    assert "observed" in f["message"]
