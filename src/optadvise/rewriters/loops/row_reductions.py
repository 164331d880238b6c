"""Reductions of rows to one value per iteration: `np.sum(v)`/`v.sum()`, mean, max, min, prod,
`np.linalg.norm(v)` and `np.dot(u, v)`/`u @ v` of rows, each over the own dimensions (`axis=-1`).

Sums, means, products, norms and dot products re-associate (the nest then counts as a reduction for
the verifier's tolerance); a reduction with arguments beyond the row (`axis=`, `ord=`) declines.
"""

from __future__ import annotations

import libcst as cst

from optadvise.rewriters.base import Decline
from optadvise.rewriters.loops.expressions import Expressions
from optadvise.rewriters.loops.indexing import ARRAY_METHODS, ROW_REDUCE
from optadvise.rewriters.loops.values import V, union

EXACT = {"max", "min"}  # the same element whatever the order
NUMERIC = ("float", "int", "uint", "complex")
REAL = ("float", "int", "uint")


def plain_args(node: cst.Call, n: int) -> bool:
    return len(node.args) == n and all(a.keyword is None and not a.star for a in node.args)


class RowReductions(Expressions):
    """The row-reduction layer of a loop-nest translation."""

    def call(self, node: cst.Call) -> V:
        fn = self.tree.resolve(node.func) or ""
        short = fn[6:] if fn.startswith("numpy.") else ""
        name = self.code(node.func)
        if short == "linalg.norm":
            if not plain_args(node, 1):
                raise Decline(f"`{name}` with `ord`/`axis` arguments in the loop (only a row's 2-norm is vectorized)")
            return self.reduced("linalg.norm", node.args[0].value, REAL)
        if short == "dot":
            if not plain_args(node, 2):
                raise Decline(f"`{name}` with other than two arguments in the loop")
            return self.row_dot(node.args[0].value, node.args[1].value)
        if short in ROW_REDUCE:
            if not plain_args(node, 1):
                raise Decline(f"`{name}` with an axis or other arguments in the loop")
            return self.reduced(ROW_REDUCE[short], node.args[0].value, NUMERIC + ("bool",))
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in ARRAY_METHODS \
                and not fn.startswith(("numpy.", "math.")):
            if node.args:
                raise Decline(f"`{name}()` with arguments in the loop")
            return self.reduced(ROW_REDUCE[func.attr.value], func.value, NUMERIC + ("bool",))
        return super().call(node)

    def binop(self, node: cst.BinaryOperation) -> V:
        if isinstance(node.operator, cst.MatrixMultiply):
            return self.row_dot(node.left, node.right)
        return super().binop(node)

    def row_values(self, nodes: list[cst.BaseExpression], dtypes: tuple[str, ...], what: str) -> list[V]:
        """The rows `nodes` (one own dimension each, elements of `dtypes`), or a decline saying `what`."""
        vs = [self.row_expr(n) for n in nodes]
        for n, v in zip(nodes, vs):
            if v.own != 1:
                raise Decline(f"{what} of `{self.code(n)}`, which is not a 1-D row")
            if not v.dtypes or not all(d.startswith(dtypes) for d in v.dtypes):
                raise Decline(f"{what} of `{self.code(n)}`, whose element type is unknown or not numeric")
        return vs

    def reduced(self, op: str, node: cst.BaseExpression, dtypes: tuple[str, ...]) -> V:
        """`np.<op>` of the row `node` over its own dimension: one value per iteration."""
        (v,) = self.row_values([node], dtypes, f"`{op}`")
        if op not in EXACT:
            self.reductions = True
        return V(f"{self.np}.{op}({v.code}, axis=-1)", **union(v, kind="np", own=0))

    def row_dot(self, left: cst.BaseExpression, right: cst.BaseExpression) -> V:
        """The dot product of two rows: a matrix-vector product when one does not vary, else `np.einsum`."""
        u, w = self.row_values([left, right], NUMERIC, "a dot product")
        self.reductions = True
        if not w.axes or not u.axes:
            rows, vec = (u, w) if not w.axes else (w, u)
            return V(f"{rows.wrap(71)} @ {vec.wrap(71)}", 70, **union(u, w, kind="np", own=0))
        return V(f"{self.np}.einsum('...k,...k->...', {u.code}, {w.code})", **union(u, w, kind="np", own=0))
