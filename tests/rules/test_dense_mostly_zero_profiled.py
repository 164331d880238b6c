"""dense-mostly-zero (OA201) through the real profiler: a banded operator fires, a dense one does not."""

from __future__ import annotations

import pytest

from tests.helpers import findings, profile_json, write

pytestmark = pytest.mark.slow

SCRIPT = """
import numpy as np

n = 1500
A = {build}
x = np.ones(n)
for step in range(60):
    x = A @ x
    x /= np.abs(x).max()
print(float(x.sum()))
"""
BANDED = "np.zeros((n, n))\nA[0, 0] = 2.0\nfor i in range(1, n):\n    A[i, i] = 2.0\n    A[i, i - 1] = A[i - 1, i] = -1.0"
DENSE = "np.random.default_rng(0).standard_normal((n, n))"


def test_banded_matrix_fires_with_zero_fraction(tmp_path):
    write(tmp_path, "band.py", SCRIPT.format(build=BANDED))
    proc, doc = profile_json("band.py", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    [f] = findings(doc, "dense-mostly-zero")
    ev = f["evidence"]
    assert ev["name"] == "A" and ev["shape"] == [1500, 1500] and ev["built_at"] == 5
    assert ev["zero_fraction"] > 0.99
    assert 12 in ev["used_at"]
    assert f["fixes"] == ["sparse"] and f["share"] >= 0.05


def test_dense_random_matrix_is_silent(tmp_path):
    write(tmp_path, "dense.py", SCRIPT.format(build=DENSE))
    proc, doc = profile_json("dense.py", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    arrays = {a["name"]: a for a in doc["arrays"]}
    assert arrays["A"]["zero_fraction"] is not None and arrays["A"]["zero_fraction"] < 0.01
    assert findings(doc, "dense-mostly-zero") == []


def test_operator_built_in_one_function_used_in_another(tmp_path):
    write(tmp_path, "split.py", """
        import numpy as np

        def laplacian(n, alpha):
            op = np.zeros((n, n))
            for i in range(n):
                op[i, i] = 1.0 - 2.0 * alpha
            for i in range(n - 1):
                op[i, i + 1] = op[i + 1, i] = alpha
            return op

        def diffuse(op, u, steps):
            for _ in range(steps):
                u = op @ u
            return u

        print(diffuse(laplacian(1500, 0.2), np.ones(1500), 300).sum())
    """)
    proc, doc = profile_json("split.py", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert len(findings(doc, "dense-mostly-zero")) == 1
