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
from optadvise.rewriters.loops.expressions import Expressions
from optadvise.rewriters.loops.values import V, union

SUM_OK = {"float64", "float32", "int64", "uint64", "complex128"}  # reductions that match element sums


def factors(node: cst.BaseExpression) -> list[cst.BaseExpression]:
    """The operands of a product `a * b * (c * d)`."""
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Multiply):
        return factors(node.left) + factors(node.right)
    return [node]


def matmul(ops: list[tuple[str, str]], out: str, red: str) -> str | None:
    """`x @ y` (operands transposed with `.T` as needed) when the einsum `ops -> out` summing over the
    one index `red` is a matrix or matrix-vector product; else None."""
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


class Contractions(Expressions):
    """The contraction layer of a loop-nest translation."""

    def contraction(self, target: cst.Subscript, value: cst.BaseExpression, op: type, guard: V | None) -> bool:
        """Emit `target op= contraction` when the target misses some nest axes; False when it uses
        them all (an element-wise update, not a contraction)."""
        arr, loops, invs = self.index_parts(target)
        cur = self.access_parts(arr, loops, invs, compact=True)
        reduced = sorted(set(range(len(self.axes))) - cur.axes)
        if not reduced:
            return False
        if [k for k, _ in loops] != sorted(k for k, _ in loops):
            raise Decline(f"`{arr}` accumulates with its loop indices out of nest order (a transpose)")
        if guard is not None:
            raise Decline(f"a conditional accumulation into `{self.code(target)}` across loop iterations")
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
                if a == arr:
                    raise Decline(f"`{arr}` is read while it accumulates (each step sees the previous ones)")
                v = self.access_parts(a, fl, fi, compact=True)
                ops.append((v.code, "".join(letters[k] for k, _ in fl)))
            else:
                raise Decline(f"accumulated `{self.code(value)}` is not a product of array elements and scalars")
            vals.append(v)
        used = "".join(lt for _, lt in ops)
        out = "".join(letters[k] for k, _ in loops)
        if any(letters[k] not in used for k in reduced) or any(c not in used for c in out):
            raise Decline(f"accumulated `{self.code(value)}` does not vary with every loop it runs in")
        both = union(cur, *vals, kind="np")
        dtypes: frozenset[str] = frozenset().union(cur.dtypes, *(v.dtypes for v in vals))
        self.sum_types(dtypes)
        if not self.facts.dtype(arr).startswith(("float", "complex")) and (
                any(not d.startswith(("int", "uint")) for d in dtypes) or any(s.kind != "int" for s in scalars)):
            raise Decline(f"non-integer values accumulate into the integer array `{arr}` (rounded at each step)")
        red = "".join(letters[k] for k in reduced)
        code = matmul(ops, out, red) or \
            f"{self.np}.einsum('{','.join(lt for _, lt in ops)}->{out}', {', '.join(c for c, _ in ops)}, optimize=True)"
        if scalars:
            code = " * ".join([s.wrap(70) for s in scalars] + [code])
        self.reductions = True
        lhs = cur.code if "[" in cur.code else arr
        self.emit(f"{lhs} {'+' if op is cst.Add else '-'}= {code}", V("", **both), writes=cur.reads)
        return True

    def sum_types(self, dtypes: frozenset[str]) -> None:
        """Decline sums over elements whose Python accumulation overflows or rounds differently."""
        bad = [d or "unknown" for d in dtypes if d not in SUM_OK]
        if bad:
            raise Decline(f"sum over {bad[0]} elements (Python accumulation overflows/rounds differently)")
