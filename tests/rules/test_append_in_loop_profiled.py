"""append-in-loop (OA102) through the real profiler."""

from __future__ import annotations

import pytest

from tests.helpers import findings, profile_json, write

pytestmark = pytest.mark.slow


def test_np_append_fires_with_final_shape(tmp_path):
    write(tmp_path, "a.py", """
        import numpy as np

        def squares(n):
            x = np.array([])
            for k in range(n):
                x = np.append(x, k * k)
            return x

        print(squares(12_000).sum())
    """)
    proc, doc = profile_json("a.py", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    [f] = findings(doc, "append-in-loop")
    assert f["lineno"] == 6 and f["function"] == "squares"  # the loop, which the rewrite replaces
    assert f["evidence"]["api"] == "numpy.append" and f["evidence"]["name"] == "x"
    assert f["share"] > 0.3


def test_vstack_rows_fires(tmp_path):
    write(tmp_path, "v.py", """
        import numpy as np
        table = np.empty((0, 4))
        for k in range(6_000):
            row = np.array([k, k + 1.0, k * 2.0, 1.0])
            table = np.vstack([table, row])
        print(table.shape)
    """)
    proc, doc = profile_json("v.py", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    [f] = findings(doc, "append-in-loop")
    assert f["lineno"] == 4 and f["evidence"]["api"] == "numpy.vstack"
    assert f["evidence"]["final_shape"] == [6000, 4]
    assert not findings(doc, "loop-over-ndarray")  # growing is not element-wise indexing

