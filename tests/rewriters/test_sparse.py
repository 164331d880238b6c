"""sparse rewriter: run original and rewritten scripts, compare outputs; decline what changes meaning."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from optadvise.examples import marked_line
from optadvise.model import Finding
from optadvise.rewriters.base import Decline
from optadvise.rewriters.sparse import SparseRewriter
from tests.rewriters.scripts import numbers, run_script


def finding(src: str) -> Finding:
    line = marked_line(src)
    return Finding(rule="dense-mostly-zero", code="OA201", filename="s.py", lineno=line, end_lineno=line,
                   function="<module>", message="", fixes=["sparse"],
                   evidence={"name": "T", "shape": [60, 60], "zero_fraction": 0.95})


def run(code: str, tmp_path) -> list[float]:
    return numbers(run_script(code, tmp_path))


def rewrite(src: str) -> str:
    src = textwrap.dedent(src)
    (cand,) = SparseRewriter().propose(src, finding(src), None)
    compile(cand.new, "new", "exec")
    assert cand.original == src and "lil_array" in cand.new and ".tocsr()" in cand.new
    return cand.new


POSITIVE = {
    "module_dot": """
        import numpy as np
        n = 60
        rng = np.random.default_rng(1)
        T = np.zeros((n, n))  # <-
        for i in range(n):
            for j in range(max(0, i - 1), min(n, i + 2)):
                T[i, j] = rng.standard_normal()
        x = np.ones(n)
        for _ in range(20):
            y = T.dot(x)
            x = y / np.abs(y).max()
        print(f"{float(x.sum()):.12e} {T.shape[0]}.0")
        """,
    "function_matmul_solve": """
        import numpy as np

        def run(size):
            rng = np.random.default_rng(3)
            A = np.zeros((size, size), dtype=np.float64)  # <-
            for k in range(size):
                A[k, k] = 4.0 + rng.random()
                if k + 1 < size:
                    A[k, k + 1] = -1.0
                    A[k + 1, k] += -1.0
            b = np.arange(size, dtype=float)
            col = b.reshape(-1, 1)
            x = np.linalg.solve(A, b)
            X = np.linalg.solve(A, col)
            z = A @ x
            w = np.dot(A, X)
            return float(x.sum()), X.shape[1], float(z.sum()), float(w.sum())

        if __name__ == "__main__":
            print("%.12e %d.0 %.12e %.12e" % run(50))
        """,
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(POSITIVE))
def test_rewrite_keeps_outputs(name, tmp_path):
    src = textwrap.dedent(POSITIVE[name])
    new = rewrite(src)
    assert np.allclose(run(new, tmp_path), run(src, tmp_path), rtol=1e-9, atol=0)


def test_solve_and_products_are_rewritten_and_fill_loops_kept():
    new = rewrite(POSITIVE["function_matmul_solve"])
    assert "scipy.sparse.linalg.spsolve(A, b).reshape(np.shape(b))" in new
    assert "A.dot(X)" in new and "A @ x" in new
    assert "A[k + 1, k] += -1.0" in new and "dtype=np.float64" in new
    assert new.index("A = A.tocsr()") > new.index("A[k + 1, k] += -1.0")


def test_note_reports_memory():
    src = textwrap.dedent(POSITIVE["module_dot"])
    (cand,) = SparseRewriter().propose(src, finding(src), None)
    assert "dense 28.8 kB" in cand.note and "180 nonzeros" in cand.note


def test_existing_alias_is_reused():
    src = textwrap.dedent(POSITIVE["module_dot"]).replace("import numpy as np", "import numpy as np\nimport scipy.sparse as sp")
    new = rewrite(src)
    assert "sp.lil_array((n, n))" in new and new.count("import scipy") == 1


FILL = """
import numpy as np
n = 30
T = np.zeros((n, n))  # <-
for i in range(n):
    T[i, i] = 2.0
"""

NEGATIVE = {
    "densifying_add": FILL + "T = T + 1\nprint(T.dot(np.ones(n)))\n",
    "elementwise_mul": FILL + "y = T * 2.0\n",
    "ufunc": FILL + "y = np.exp(T)\n",
    "printed": FILL + "print(T)\n",
    "sliced": FILL + "row = T[0]\n",
    "right_matmul": FILL + "y = np.ones(n) @ T\n",
    "read_while_filling": FILL.replace("T[i, i] = 2.0", "T[i, i] = 2.0 + T[i - 1, i - 1]"),
    "returned": "import numpy as np\ndef f(n):\n    T = np.zeros((n, n))  # <-\n"
                "    for i in range(n):\n        T[i, i] = 1.0\n    return T\n",
    "sum_axis": FILL + "s = T.sum(axis=0)\n",
    "not_zeros": "import numpy as np\nT = np.ones((3, 3))  # <-\nT[0, 0] = 0\n",
    "never_filled": "import numpy as np\nT = np.zeros((3, 3))  # <-\nT[:, 0] = 1\n",
}


@pytest.mark.parametrize("name", sorted(NEGATIVE))
def test_declines(name):
    src = NEGATIVE[name]
    with pytest.raises(Decline):
        SparseRewriter().propose(src, finding(src), None)
