"""Rule dense-mostly-zero (OA201): large dense matrices, measured mostly zero, used in products or solves."""

from __future__ import annotations

import ast

from optadvise.examples import Measured
from optadvise.model import MODULE, ArrayInfo, Finding, Profile
from optadvise.rules.base import Rule, Site
from optadvise.rules.evidence import enclosing_span, span_share
from optadvise.rules.facts import array, facts, hot
from optadvise.rules.index import ModuleIndex

MIN_ELEMENTS = 1_000_000  # 8 MB of float64: smaller matrices are cheap either way
MIN_ZERO_FRACTION = 0.90
MIN_SHARE = 0.05
_OPERATOR = ("import numpy as np\nn = 1500\nA = np.zeros((n, n))  # <-\nfor i in range(n):\n"
             "    A[i, i] = 2.0\nx = np.ones(n)\nfor step in range(60):\n    x = A @ x\n"
             "    x /= np.abs(x).max()\n")
_PRODUCTS_HOT = (hot(MODULE, 1, 1.0, {4: 0.05, 5: 0.05, 7: 0.05, 8: 0.8}),)  # the product loop: 85%
PRODUCT_CALLS = {"numpy.dot", "numpy.matmul", "numpy.linalg.solve", "numpy.linalg.inv",
                 "numpy.linalg.lstsq", "scipy.linalg.solve", "numpy.inner", "numpy.tensordot"}


class DenseMostlyZero(Rule):
    """A large dense 2-D array that is mostly zeros and is multiplied or solved with.

    ## What it does
    Flags a 2-D array of at least a million elements, measured to be at least 90% zeros, that
    takes part in matrix products or solves taking a share of the run. The finding points at the
    statement that builds the array. It needs the measured zero fraction, so it runs in
    `optadvise profile`, not in the static `check`.

    ## Why is this bad?
    A dense n x n product touches all n^2 entries, zeros included, and a dense solve costs
    O(n^3). When 99% of the entries are zero (banded, tridiagonal, graph adjacency,
    finite-difference operators), nearly all of that work and memory is spent on zeros. Build it
    as a `scipy.sparse` matrix (LIL or COO while filling, then `.tocsr()`), or with
    `scipy.sparse.diags` for banded structure; keep `@`/`.dot`, and use
    `scipy.sparse.linalg.spsolve` for solves.

    ## Example
    ```python
    import numpy as np

    n = 5000
    T = np.zeros((n, n))
    for i in range(n):
        T[i, i] = 2.0
    x = np.ones(n)
    for _ in range(100):
        x = T @ x
    ```

    ## Use instead
    ```python
    import numpy as np
    import scipy.sparse

    n = 5000
    T = scipy.sparse.lil_array((n, n))
    for i in range(n):
        T[i, i] = 2.0
    T = T.tocsr()
    x = np.ones(n)
    for _ in range(100):
        x = T @ x
    ```
    """

    slug = "dense-mostly-zero"
    code = "OA201"
    summary = "Large dense 2-D array that is mostly zeros and is multiplied or solved with"
    fixes = ("sparse",)
    static = False
    MEASURED = (
        # a banded 1500x1500 operator, 99.93% zeros, in a product loop taking 85% of the run
        Measured(_OPERATOR, facts(functions=_PRODUCTS_HOT,
                                  arrays=(array("A", (1500, 1500), zero_fraction=0.9993),)),
                 evidence={"name": "A", "shape": [1500, 1500], "built_at": 3, "used_at": [8]}),
        # the same products on a dense random matrix: no zeros to skip
        Measured(_OPERATOR, facts(functions=_PRODUCTS_HOT,
                                  arrays=(array("A", (1500, 1500), zero_fraction=0.0),)), flagged=False),
        # mostly zeros but small (300x300): cheap either way
        Measured(_OPERATOR, facts(functions=_PRODUCTS_HOT,
                                  arrays=(array("A", (300, 300), zero_fraction=0.9967),)), flagged=False),
    )

    def discover(self, index: ModuleIndex, profile: Profile) -> list[Finding]:
        findings = []
        for a in profile.arrays:
            if len(a.shape) != 2 or a.shape[0] * a.shape[1] < MIN_ELEMENTS \
                    or (a.zero_fraction or 0.0) < MIN_ZERO_FRACTION or a.function not in index.scopes:
                continue
            uses = _product_uses(index, a.function, a.name)
            if not uses:
                continue
            # built here, or handed in as an argument: then point at its first product
            built = _built_at(index, a.function, a.name) or _statement_at(index, a.function, uses[0])
            if built is None:
                continue
            finding = self._finding(index, profile, a, built, uses)
            if finding.share >= MIN_SHARE:
                findings.append(finding)
        return findings

    def _finding(self, index: ModuleIndex, profile: Profile, a: ArrayInfo, built: ast.stmt,
                 uses: list[int]) -> Finding:
        fills = _fill_loops(index, a.function, a.name)
        spans = [enclosing_span(index, a.function, u) for u in uses] + fills
        share = min(1.0, sum(span_share(profile, index, a.function, lo, hi) for lo, hi in set(spans)))
        mb = a.nbytes / 2**20
        evidence = {"name": a.name, "shape": list(a.shape), "dtype": a.dtype, "mb": round(mb, 1),
                    "zero_fraction": round(a.zero_fraction or 0.0, 5), "built_at": built.lineno,
                    "used_at": uses}
        site = Site(built.lineno, built.end_lineno or built.lineno, built.col_offset, a.function,
                    "")
        message = (f"`{a.name}` is a dense {a.shape[0]}x{a.shape[1]} {a.dtype} array "
                   f"({mb:,.0f} MiB) that is {a.zero_fraction:.2%} zeros, used in products/solves "
                   f"at line{'s' if len(uses) > 1 else ''} {', '.join(map(str, uses))} "
                   f"({share:.0%} of the run): store it as a scipy.sparse matrix.")
        return self.finding(index, site, message=message, evidence=evidence, share=share)


def _product_uses(index: ModuleIndex, function: str, name: str) -> list[int]:
    """Lines where `name` takes part in a matrix product or a solve."""
    lines = set()
    for node in ast.walk(index.scopes[function].node):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult) and any(
                isinstance(s, ast.Name) and s.id == name for s in (node.left, node.right)):
            lines.add(node.lineno)
        elif isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Attribute) and f.attr == "dot" and isinstance(f.value, ast.Name) \
                    and f.value.id == name:
                lines.add(node.lineno)
            elif index.resolve(f) in PRODUCT_CALLS and any(
                    isinstance(x, ast.Name) and x.id == name for x in node.args):
                lines.add(node.lineno)
    return sorted(lines)


def _built_at(index: ModuleIndex, function: str, name: str) -> ast.stmt | None:
    """The statement allocating the array (first assignment of `name` in its scope)."""
    for node in ast.walk(index.scopes[function].node):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name
                                                for t in node.targets):
            return node
    return None


def _statement_at(index: ModuleIndex, function: str, lineno: int) -> ast.stmt | None:
    for node in ast.walk(index.scopes[function].node):
        if isinstance(node, ast.stmt) and node.lineno == lineno and not isinstance(
                node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return node
    return None


def _fill_loops(index: ModuleIndex, function: str, name: str) -> list[tuple[int, int]]:
    """Outermost loops that write `name[...]` element by element."""
    spans = []
    for loop in index.loops_in(function):
        if loop.depth:
            continue
        if any(isinstance(n, ast.Subscript) and isinstance(n.ctx, ast.Store)
               and isinstance(n.value, ast.Name) and n.value.id == name for n in ast.walk(loop.node)):
            spans.append((loop.node.lineno, loop.node.end_lineno or loop.node.lineno))
    return spans
