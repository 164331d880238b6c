"""Running minima and maxima kept in array elements across loops the element does not use:
`if d < best[i]: best[i] = d` and `best[i] = min(best[i], d)` over j (a nearest-neighbour distance)
become `np.fmin.reduce` over the reduced axes (NaNs skipped, as the comparison skips them), then
kept only where strictly better than the element's value before (a NaN there stays, as in Python).
"""

from __future__ import annotations

import libcst as cst

from optadvise.rewriters.base import Decline
from optadvise.rewriters.loops.scatter import Scatters
from optadvise.rewriters.loops.values import V, union


class Extremes(Scatters):
    """The running-extreme-into-element layer of a loop-nest translation."""

    def extreme_into(self, target: cst.Subscript, fn: str, value: cst.BaseExpression, guard: V | None) -> bool:
        """Emit the running `fn` ("min"/"max") of `value` into `target` over the nest axes it does not
        use; False when it uses them all (an element-wise selection, translated as such)."""
        arr, loops, invs = self.index_parts(target)
        cur = self.access_parts(arr, loops, invs, compact=True)
        reduced = sorted(set(range(len(self.axes))) - cur.axes)
        if not reduced:
            return False
        if [k for k, _ in loops] != sorted(k for k, _ in loops):
            raise Decline(f"`{arr}` keeps a running {fn} with its loop indices out of nest order")
        v = self.expr(value)
        if any(r.array == arr for r in v.reads):
            raise Decline(f"`{arr}` is read while it keeps a running {fn}")
        if not (set(reduced) <= v.axes and v.exact) or not self.facts.dtype(arr).startswith("float") \
                or not (v.kind == "py" or v.dtypes and all(d.startswith("float") for d in v.dtypes)):
            raise Decline(f"running {fn} into `{arr}` of values that are not floats varying with every loop")
        if guard is not None:
            v = V(f"{self.np}.where({guard.code}, {v.code}, {self.np}.nan)", **union(guard, v, kind=v.kind))
        n = len(self.axes)
        axes = [str(k - n) for k in reduced]
        axis = axes[0] if len(axes) == 1 else "(" + ", ".join(axes) + ")"
        best = self.tree.fresh("_least" if fn == "min" else "_most")
        self.emit(f"{best} = {self.np}.{'fmin' if fn == 'min' else 'fmax'}.reduce({v.code}, axis={axis})", v)
        op = "<" if fn == "min" else ">"
        lhs = cur.code if "[" in cur.code else arr
        self.emit(f"{lhs} = {self.np}.where({best} {op} {cur.code}, {best}, {cur.code})", cur, writes=cur.reads)
        return True
