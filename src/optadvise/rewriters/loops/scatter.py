"""Scatter-adds: `counts[b] += 1`, `sums[b] += y[i]` with a subscript computed per iteration (a
histogram, a group-by sum) become `np.add.at(counts, b, 1)`, which adds in the loop's order (the
same sums, bit for bit). `int()` of a float is allowed where its only use is such a subscript:
NumPy truncates toward zero like Python, and a value too large for int64 is out of range as an
index either way. The scattered array must be touched by nothing else in the nest, once.
"""

from __future__ import annotations

from dataclasses import replace

import libcst as cst

from optadvise.rewriters.base import Decline
from optadvise.rewriters.loops.dependence import Access
from optadvise.rewriters.loops.inner_sums import InnerSums
from optadvise.rewriters.loops.values import V, integral, union


class Scatters(InnerSums):
    """The scatter-add layer of a loop-nest translation."""

    scattered: frozenset[str] = frozenset()

    def index_only(self, name: str) -> bool:
        """Every read of `name` in the nest is a whole subscript (`a[name]`, `a[name, j]`)."""
        assert self.loop_stmt is not None
        reads = [n for n in self.tree.name_nodes(self.loop_stmt, name)
                 if not isinstance(self.tree.parent.get(n), cst.AssignTarget)]
        return bool(reads) and all(isinstance(self.tree.parent.get(n), cst.Index)
                                   and isinstance(self.tree.parent.get(self.tree.parent[n]), cst.SubscriptElement)
                                   for n in reads)

    def scatter(self, target: cst.Subscript, value: cst.BaseExpression, op: type, guard: V | None,
                why: Decline) -> None:
        """Emit `np.add.at(arr, (idx, ...), value)` for an accumulation at computed subscripts; `why`
        when the subscripts are plain loop indices (another translation's reason stands)."""
        base, idx = self.flatten(target)
        if not isinstance(base, str) or self.facts.ndim(base) != len(idx) \
                or all(self.affine(e) is not None or self.invariant(e) for e in idx):
            raise why
        if base in self.scattered or base in self.iterated:
            raise Decline(f"`{base}` is scattered into twice or iterated over (the adds would be reordered)")
        parts = [self.index_value(e) for e in idx]
        full = frozenset(range(len(self.axes)))
        if frozenset().union(*(p.axes for p in parts)) != full or not all(p.exact for p in parts) \
                or any(p.axes and not integral(p) for p in parts):
            raise Decline(f"`{self.code(target)}` is scattered through subscripts that are not integers "
                          "varying with every loop index")
        v = self.expr(value)
        dtype = self.facts.dtype(base)
        if not dtype.startswith(("float", "complex")) and not integral(v):
            raise Decline(f"non-integer values scattered into the integer array `{base}`")
        if any(r.array == base for p in parts for r in p.reads) or any(r.array == base for r in v.reads):
            raise Decline(f"`{base}` is read while it is scattered into")
        codes = [p.code for p in parts]
        if guard is not None:  # only the kept iterations' subscripts: the others may be out of range
            if guard.axes != full or not guard.exact or any(p.axes != full for p in parts) \
                    or v.axes not in (full, frozenset()):
                raise Decline(f"a conditional scatter into `{base}` whose subscripts do not vary with every loop")
            codes = [f"{p.wrap(100)}[{guard.code}]" for p in parts]
            v = replace(v, code=f"{v.wrap(100)}[{guard.code}]", prec=100) if v.axes else v
            v = V(v.code, v.prec, **union(v, guard, kind=v.kind))
        ufunc = "add" if op is cst.Add else "subtract"
        index = codes[0] if len(codes) == 1 else "(" + ", ".join(codes) + ")"
        self.scattered = self.scattered | {base}
        write = Access(base, (None,) * len(self.axes), ("?",) * len(idx))
        self.emit(f"{self.np}.{ufunc}.at({base}, {index}, {v.code})", V("", **union(v, *parts)), writes=(write,))
