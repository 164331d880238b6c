"""Row-valued reads of a loop nest: `A[i]`/`A[i, :]` of a 2-D array (a value with one own dimension)
and loop-invariant arrays used whole (`x` beside rows), with the alignment of own dimensions.

A value's own dimensions follow all nest axes, so NumPy's right-aligned broadcasting combines rows as
each iteration did; a value with nest axes and fewer own dimensions than its partner gets new axes
before its own (`widened`). Rows of Python lists, partial slices (`A[i, 1:3]`) and steps stay declined.
"""

from __future__ import annotations

import libcst as cst

from optadvise.rewriters.base import Decline
from optadvise.rewriters.loops.attributes import references, root_of
from optadvise.rewriters.loops.dependence import Access
from optadvise.rewriters.loops.indexing import Indexing
from optadvise.rewriters.loops.values import Elem, V, widened

SIZE_ATTRS = {"shape", "size", "ndim", "dtype", "itemsize", "nbytes"}  # scalars (or tuples) of an array


def full_slice(el: cst.SubscriptElement) -> bool:
    """`:` (no bounds, no step)."""
    s = el.slice
    return isinstance(s, cst.Slice) and s.lower is None and s.upper is None and s.step is None


class Rows(Indexing):
    """The row layer of a loop-nest translation: reads with own dimensions."""

    rows_allowed: bool = False  # the value being translated may have own dimensions

    def row_parts(self, node: cst.Subscript) -> tuple[cst.Subscript, int]:
        """`node` without its trailing `:` subscripts, and the dimensions of the array it leaves
        unsubscripted (0 when `node` is an element, or not a subscript of a known array)."""
        elems = list(node.slice)
        kept = len(elems)
        while kept and full_slice(elems[kept - 1]):
            kept -= 1
        if not kept:
            return node, 0  # `A[:]`: a whole array, not a row
        stripped = node.with_changes(slice=elems[:kept]) if kept < len(elems) else node
        try:
            base, idx = self.flatten(stripped)
        except Decline:
            return node, 0
        arr, n = (base.array, len(base.prefix) + len(idx)) if isinstance(base, Elem) else (base, len(idx))
        nd = self.facts.ndim(arr)
        if nd is None or nd <= n or arr in self.scratch:
            return node, 0
        if arr in self.facts.py_elements:
            raise Decline(f"`{self.code(node)}` is a row of `{arr}`, a Python list (a list, not an array)")
        return stripped, nd - n

    def row_read(self, node: cst.Subscript) -> V | None:
        """`A[i]`, `A[i, :]` as a value with own dimensions; None when `node` is not a row."""
        stripped, own = self.row_parts(node)
        if not own:
            return None
        arr, loops, invs = self.index_parts(stripped)
        return self.access_parts(arr, loops, invs, own=own)

    def whole_array(self, name: str) -> V | None:
        """A loop-invariant array (a name or an attribute chain: `self.x`) used whole beside rows, with
        its dimensions as its own; None for anything else."""
        nd = self.facts.ndim(name)
        root = root_of(name)
        if not nd or root in self.assigned or name in self.facts.py_elements or root in self.env:
            return None
        if name in self.written:
            raise Decline(f"`{name}` is written in the loop and read whole")
        acc = Access(name, (None,) * len(self.axes), (":",) * nd, (), (None,) * nd)
        return V(name, axes=frozenset(), kind="np", reads=(acc,), dtypes=frozenset({self.facts.dtype(name)}), own=nd)

    def holds_rows(self, node: cst.CSTNode) -> bool:
        """`node` reads a row or a whole array (beyond its shape and argument-free reductions), so it
        is not a scalar even where it does not vary."""
        for n in self.tree.walk(node):
            if isinstance(n, cst.Subscript) and not isinstance(self.tree.parent.get(n), cst.Subscript) \
                    and self.row_parts(n)[1]:
                return True
        return any(self.facts.maybe_array(key) and not self.shape_only_use(n)
                   for key, n in references(self.tree, node))

    def shape_only_use(self, n: cst.Name | cst.Attribute) -> bool:
        """`n` is subscripted, asked for its size, or reduced by a method without arguments (`x.sum()`)."""
        p = self.tree.parent.get(n)
        if isinstance(p, cst.Subscript) and p.value is n or isinstance(p, cst.Attribute) and p.attr is n \
                or isinstance(p, cst.Arg) and p.keyword is n:
            return True
        if isinstance(p, cst.Attribute) and p.value is n:
            call = self.tree.parent.get(p)
            reduced = isinstance(call, cst.Call) and call.func is p and self.array_method(call)
            return p.attr.value in SIZE_ATTRS or reduced
        call = self.tree.parent.get(p) if isinstance(p, cst.Arg) else None
        return isinstance(call, cst.Call) and self.tree.resolve(call.func) == "len"

    def aligned(self, *vs: V) -> list[V]:
        """`vs` widened to the same number of own dimensions."""
        own = max(v.own for v in vs)
        return [widened(v, own) for v in vs]
