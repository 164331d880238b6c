"""Contractions: an accumulation into an array element over loop indices the element does not use.

`C[i, j] += alpha * A[i, k] * B[k, j]` in a nest over i, k, j sums the product over k: it becomes
`C += alpha * A @ B` (matrix and matrix-vector products, transposed operands as `.T`), or
`np.einsum` for any other pattern of indices (outer products, 3-index contractions). The
accumulated value must be a product of scalar factors and array elements, each reduction index used
by some element; anything else declines.
"""

from __future__ import annotations

import string

import libcst as cst

from optadvise.rewriters.base import Decline
from optadvise.rewriters.loops.axes import build_axes
from optadvise.rewriters.loops.expressions import zero_start
from optadvise.rewriters.loops.row_reductions import RowReductions
from optadvise.rewriters.loops.values import V, union

SUM_OK = {"float64", "float32", "int64", "uint64", "complex128"}  # reductions that match element sums


def factors(node: cst.BaseExpression) -> list[cst.BaseExpression]:
    """The operands of a product `a * b * (c * d)`."""
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Multiply):
        return factors(node.left) + factors(node.right)
    return [node]


def matmul(ops: list[tuple[str, str]], out: str, red: str) -> str | None:
    """`x @ y` (operands transposed with `.T` as needed) when the einsum `ops -> out` summing over the
    one index `red` is a matrix or matrix-vector product (`x.sum(axis=d)` for one operand); else None."""
    if len(ops) == 1 and ops[0][1].replace(red[0], "") == out and len(red) == 1 and ops[0][1].count(red) == 1:
        return f"{ops[0][0]}.sum(axis={ops[0][1].index(red)})"
    if len(ops) != 2 or len(red) != 1:
        return None
    (x, lx), (y, ly) = ops
    if not (0 < len(lx) <= 2 and 0 < len(ly) <= 2 and red in lx and red in ly):
        return None
    if len(lx) == 2 and lx[0] == red:
        x, lx = f"{x}.T", lx[::-1]
    if len(ly) == 2 and ly[1] == red:
        y, ly = f"{y}.T", ly[::-1]
    if lx[-1] != red or ly[0] != red or lx[:-1] + ly[1:] != out:
        return None
    return f"{x} @ {y}"


class Contractions(RowReductions):
    """The contraction layer of a loop-nest translation."""

    def reduced_target(self, target: cst.Subscript, what: str) -> tuple[str, V, list[int], list[int]] | None:
        """`target`'s array, its value, the nest axes it does not use and the loop axes it does use,
        in order; None when it uses them all. Declines when its loop indices are out of nest order."""
        arr, loops, invs = self.index_parts(target)
        cur = self.access_parts(arr, loops, invs, compact=True)
        reduced = sorted(set(range(len(self.axes))) - cur.axes)
        if not reduced:
            return None
        order = [k for k, _ in loops]
        if order != sorted(order):
            raise Decline(f"`{arr}` {what} with its loop indices out of nest order")
        return arr, cur, reduced, order

    def contraction(self, target: cst.Subscript, value: cst.BaseExpression, op: type, guard: V | None) -> bool:
        """Emit `target op= contraction` when the target misses some nest axes; False when it uses
        them all (an element-wise update, not a contraction)."""
        parts = self.reduced_target(target, "accumulates")
        if parts is None:
            return False
        arr, cur, reduced, order = parts
        floats = self.facts.dtype(arr).startswith(("float", "complex"))
        try:
            if guard is not None:
                raise Decline(f"a conditional accumulation into `{self.code(target)}` across loop iterations")
            code, vals, scalars, _ = self.contract(value, reduced, order, arr)
        except Decline as why:
            if not floats:
                raise
            total = self.summed(value, reduced, arr, guard, why)
            code, vals, scalars = total.code, [total], []
        dtypes: frozenset[str] = frozenset().union(cur.dtypes, *(v.dtypes for v in vals))
        self.sum_types(dtypes)
        if not floats and (
                any(not d.startswith(("int", "uint")) for d in dtypes) or any(s.kind != "int" for s in scalars)):
            raise Decline(f"non-integer values accumulate into the integer array `{arr}` (rounded at each step)")
        self.reductions = True
        lhs = cur.code if "[" in cur.code else arr
        self.emit(f"{lhs} {'+' if op is cst.Add else '-'}= {code}", V("", **union(cur, *vals)), writes=cur.reads)
        return True

    def summed(self, value: cst.BaseExpression, reduced: list[int], target: str, guard: V | None,
               why: Decline) -> V:
        """`np.sum` over the `reduced` axes of any accumulated value (masked by `guard`) into the float
        array `target`, when it is not a product the contraction can take; `why` when it does not vary
        with every reduced axis."""
        v = self.expr(value)
        if any(r.array == target for r in v.reads):
            raise Decline(f"`{target}` is read while it accumulates (each step sees the previous ones)")
        if not (set(reduced) <= v.axes and v.exact):
            raise why
        if guard is not None:
            v = V(f"{self.np}.where({guard.code}, {v.code}, 0)", **union(guard, v, kind=v.kind))
        n = len(self.axes)
        axes = [str(k - n) for k in reduced]
        axis = axes[0] if len(axes) == 1 else "(" + ", ".join(axes) + ")"
        return V(f"{self.np}.sum({v.code}, axis={axis})", **union(v, kind="np"))

    def accumulate_loop(self, node: cst.For) -> bool:
        """`for k in range(...): t += product` into a temporary `t` set earlier in the body: `t` becomes
        its value plus the contraction over k. False for any other inner loop."""
        body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
        if not (len(body) == 1 and isinstance(body[0], cst.SimpleStatementLine) and len(body[0].body) == 1):
            return False
        a = body[0].body[0]
        if not (isinstance(a, cst.AugAssign) and isinstance(a.target, cst.Name)
                and isinstance(a.operator, (cst.AddAssign, cst.SubtractAssign))
                and isinstance(node.iter, cst.Call) and self.tree.resolve(node.iter.func) == "range"):
            return False
        t = a.target.value
        old = self.env.get(t)
        if not isinstance(old, V) or t in self.results or t in self.pinned:
            return False
        build_axes(self.tree, self.tree.scope_of(node), [node], self)
        try:
            code, vals, _, out = self.contract(a.value, [len(self.axes) - 1], None, None)
        finally:
            self.axes.pop()
        both = {**union(old, *vals), "axes": old.axes | frozenset(out)}  # not the summed axis, gone now
        self.sum_types(frozenset().union(*(v.dtypes for v in vals)))
        if out and out != list(range(out[0], len(self.axes))):
            code = f"({code})[{', '.join(':' if k in out else 'None' for k in range(out[0], len(self.axes)))}]"
        sign = "+" if isinstance(a.operator, cst.AddAssign) else "-"
        self.reductions = True
        new = V(code, 60, **{**both, "kind": "np"})
        self.env[t] = new if sign == "+" and zero_start(old, new) else \
            V(f"{old.wrap(60)} {sign} {code}", 60, **{**both, "kind": "np"})
        return True

    def contract(self, value: cst.BaseExpression, reduced: list[int], out: list[int] | None,
                 target: str | None) -> tuple[str, list[V], list[V], list[int]]:
        """The sum over the `reduced` nest axes of the product `value`, as code whose dimensions are
        the `out` axes in order (by default every other axis the product uses); its element and
        scalar values, and the out axes."""
        letters = string.ascii_lowercase
        scalars: list[V] = []
        ops: list[tuple[str, str]] = []
        vals: list[V] = []
        for f in factors(value):
            if self.invariant(f):
                v = self.inv(f)
                scalars.append(v)
            elif isinstance(f, cst.Subscript):
                a, fl, fi = self.index_parts(f)
                if a == target:
                    raise Decline(f"`{a}` is read while it accumulates (each step sees the previous ones)")
                v = self.access_parts(a, fl, fi, compact=True)
                ops.append((v.code, "".join(letters[k] for k, _ in fl)))
            else:
                raise Decline(f"accumulated `{self.code(value)}` is not a product of array elements and scalars")
            vals.append(v)
        used = "".join(lt for _, lt in ops)
        if out is None:
            out = sorted({letters.index(c) for c in used} - set(reduced))
        outs = "".join(letters[k] for k in out)
        if any(letters[k] not in used for k in reduced) or any(c not in used for c in outs):
            raise Decline(f"accumulated `{self.code(value)}` does not vary with every loop it runs in")
        red = "".join(letters[k] for k in reduced)
        spec = f"{','.join(lt for _, lt in ops)}->{outs}"
        code = matmul(ops, outs, red) or \
            f"{self.np}.einsum('{spec}', {', '.join(c for c, _ in ops)}, optimize=True)"
        if scalars:
            code = " * ".join([s.wrap(70) for s in scalars] + [code])
        return code, vals, scalars, out

    def sum_types(self, dtypes: frozenset[str]) -> None:
        """Decline sums over elements whose Python accumulation overflows or rounds differently."""
        bad = [d or "unknown" for d in dtypes if d not in SUM_OK]
        if bad:
            raise Decline(f"sum over {bad[0]} elements (Python accumulation overflows/rounds differently)")
