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


# ------------------------------------------------------------------ across the script's functions

ASSEMBLE = """
import numpy as np


def assemble(n):
    M = np.zeros((n, n))
    for i in range(n):
        M[i, i] = 2.0 + i / n
        if i:
            M[i, i - 1] = -1.0
    return M
"""

ACROSS = {
    "returned_then_solved": ASSEMBLE + """

def main():
    M = assemble(40)  # <-
    b = np.linspace(0.0, 1.0, 40)
    x = np.linalg.solve(M, b)
    print(f"{float(x.sum()):.12e}")


main()
""",
    "tuple_return_at_use": """
import numpy as np


def build(n):
    M = np.zeros((n, n))
    rhs = np.ones(n)
    for i in range(n):
        M[i, i] = 3.0
        if i + 1 < n:
            M[i, i + 1] = -1.0
    return M, rhs


def main():
    M, rhs = build(30)
    for k in range(3):
        y = np.linalg.solve(M, rhs)  # <-
        rhs = y + k
    print(f"{float(rhs.sum()):.12e}")


main()
""",
    "alloc_fill_use_in_three_functions": """
import numpy as np


def allocate(n):
    return np.zeros((n, n))


def fill(M, n):
    for i in range(n):
        M[i, i] = 2.0
        M[i, (i + 1) % n] = -1.0


def apply(M, x, steps):
    for _ in range(steps):
        x = x - 0.1 * (M @ x)
    return x


def main():
    M = allocate(50)  # <-
    fill(M, 50)
    x = apply(M, np.linspace(0.0, 1.0, 50), 20)
    print(f"{float(x.sum()):.12e} {float(x.max()):.12e}")


main()
""",
    "module_level_call": ASSEMBLE + """

M = assemble(60)  # <-
v = np.ones(60)
for _ in range(10):
    v = M.dot(v)
    v = v / np.abs(v).max()
print(f"{float(v.sum()):.12e}")
""",
    "handed_to_a_solver_function": ASSEMBLE + """

def solve(M, b):
    return np.linalg.solve(M, b)


M = assemble(30)  # <-
b = np.arange(30.0)
print(f"{float(solve(M, b).sum()):.12e}")
""",
}


def finding_for(src: str, name: str = "M") -> Finding:
    f = finding(src)
    f.evidence = {"name": name}
    return f


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(ACROSS))
def test_across_functions_keeps_outputs(case, tmp_path):
    src = ACROSS[case]
    (cand,) = SparseRewriter().propose(src, finding_for(src), None)
    assert "lil_array" in cand.new and "M = M.tocsr()" in cand.new
    assert np.allclose(run(cand.new, tmp_path), run(src, tmp_path), rtol=1e-6, atol=0)


def test_across_functions_edits_every_function_on_the_path():
    src = ACROSS["alloc_fill_use_in_three_functions"]
    (cand,) = SparseRewriter().propose(src, finding_for(src), None)
    assert "return scipy.sparse.lil_array((n, n))" in cand.new
    assert cand.new.index("M = M.tocsr()") > cand.new.index("fill(M, 50)")
    assert "allocate -> main -> fill -> apply" in cand.description


ACROSS_DECLINES = {
    "other_caller_of_rewritten_solve": (ASSEMBLE + """
def solve(M, b):
    return np.linalg.solve(M, b)


M = assemble(30)  # <-
b = np.ones(30)
print(solve(M, b).sum(), solve(np.eye(30), b).sum())
""", "also called at line"),
    "escapes_into_a_library": (ASSEMBLE + """
import scipy.linalg

M = assemble(30)  # <-
print(scipy.linalg.expm(M).sum())
""", "not known to accept a sparse array"),
    "result_not_bound": (ASSEMBLE + """
M = assemble(30)  # <-
b = np.ones(30)
print(np.linalg.solve(M, b).sum(), assemble(5).sum())
""", "is not bound to a name"),
    "function_passed_around": (ASSEMBLE + """
build = assemble
M = assemble(30)  # <-
print((M @ np.ones(30)).sum())
""", "passed around"),
    "filled_after_conversion": (ASSEMBLE + """
M = assemble(30)  # <-
M[0, 0] = 5.0
print((M @ np.ones(30)).sum())
""", "`M` is used as `M[0, 0]`"),
    "several_callers_of_the_user": (ASSEMBLE + """
def power(M, x):
    return M @ x  # <-


print(power(assemble(30), np.ones(30)).sum(), power(np.eye(3), np.ones(3)).sum())
""", "which has 2 callers"),
}


@pytest.mark.parametrize("case", sorted(ACROSS_DECLINES))
def test_across_functions_declines(case):
    src, reason = ACROSS_DECLINES[case]
    with pytest.raises(Decline) as declined:
        SparseRewriter().propose(src, finding_for(src), None)
    assert reason in str(declined.value)


def test_recursive_assembler_declines():
    src = """
import numpy as np


def assemble(n):
    M = np.zeros((4, 4))
    for i in range(4):
        M[i, i] = n + (assemble(n - 1)[0, 0] if n else 0.0)
    return M


M = assemble(3)  # <-
print((M @ np.ones(4)).sum())
"""
    with pytest.raises(Decline, match="calls itself"):
        SparseRewriter().propose(src, finding_for(src), None)
