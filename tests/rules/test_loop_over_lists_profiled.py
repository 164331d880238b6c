"""loop-over-ndarray (OA101) on Python lists of numbers, through the real profiler."""

from __future__ import annotations

import pytest

from tests.helpers import findings, profile_json, write

pytestmark = pytest.mark.slow


def test_list_of_lists_matrix_product_is_reported_as_lists(tmp_path):
    write(tmp_path, "m.py", """
        def matmul(X, Y):
            Z = [[0.0] * len(Y[0]) for _ in range(len(X))]
            for i in range(len(X)):
                for j in range(len(Y[0])):
                    s = 0.0
                    for p in range(len(Y)):
                        s += X[i][p] * Y[p][j]
                    Z[i][j] = s
            return Z

        X = [[(i * 7 + j) % 11 * 0.5 for j in range(120)] for i in range(110)]
        Y = [[(i + 3 * j) % 5 * 0.25 for j in range(100)] for i in range(120)]
        Z = matmul(X, Y)
        print(Z[0][0], Z[-1][-1])
    """)
    proc, doc = profile_json("m.py", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    [f] = findings(doc, "loop-over-ndarray")
    assert f["lineno"] == 4 and f["function"] == "matmul", f
    assert f["fixes"] == ["vectorize", "numba"]
    assert {"X", "Y"} <= set(f["evidence"]["lists"]), f["evidence"]
    assert f["evidence"]["arrays"]["X"]["shape"] == [110, 120], f["evidence"]
    assert "Python list" in f["message"]
