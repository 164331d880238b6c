"""loop-over-ndarray (OA101) on Python lists of numbers, through the real profiler."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.helpers import findings, optadvise, profile_json, write

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


def test_float_list_matmul_is_fixed_with_arrays_at_the_boundary(tmp_path):
    script = write(tmp_path, "m.py", """
        def matmul(X, Y):
            Z = [[0.0] * len(Y[0]) for _ in range(len(X))]
            for i in range(len(X)):
                for j in range(len(Y[0])):
                    s = 0.0
                    for p in range(len(Y)):
                        s += X[i][p] * Y[p][j]
                    Z[i][j] = s
            return Z

        X = [[(i * 7 + j) % 11 * 0.5 for j in range(180)] for i in range(200)]
        Y = [[(i + 3 * j) % 5 * 0.25 for j in range(160)] for i in range(180)]
        Z = matmul(X, Y)
        print(type(Z).__name__, type(Z[0][0]).__name__, Z[0][:3], Z[-1][-1])
    """)
    # big enough that NumPy's import, which the rewrite adds, is small against the loop
    before = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True).stdout
    proc = optadvise("fix", "--apply", "--rule", "loop-over-ndarray", "m.py", cwd=tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    new = script.read_text()
    assert ".tolist()" in new and "for p in" not in new, new
    after = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True).stdout
    # the values are exact multiples of 1/8 here, so the printed output is identical
    assert after == before, (before, after, new)
