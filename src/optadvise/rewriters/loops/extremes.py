"""Running minima and maxima kept in array elements across loops the element does not use:
`if d < best[i]: best[i] = d` and `best[i] = min(best[i], d)` over j (a nearest-neighbour distance)
become `np.fmin.reduce` over the reduced axes (NaNs skipped, as the comparison skips them), then
kept only where strictly better than the element's value before (a NaN there stays, as in Python).
An inner loop that keeps the best value and the index that gave it (`if d < best: best = d;
label = c`, a k-means assignment) becomes `np.argmin` of the same values (the first best, as the
strict comparison keeps).
"""

from __future__ import annotations

import libcst as cst
import libcst.matchers as m

from optadvise.rewriters.base import Decline
from optadvise.rewriters.loops.scatter import Scatters
from optadvise.rewriters.loops.values import V, fold, union


def block(suite: cst.BaseSuite) -> list[cst.BaseStatement]:
    return list(suite.body) if isinstance(suite, cst.IndentedBlock) else []


# one plain assignment to a name or an element
PLAIN = m.SimpleStatementLine(body=[m.Assign(targets=[m.AssignTarget(target=m.Name() | m.Subscript())])])


class Extremes(Scatters):
    """The running-extreme-into-element layer of a loop-nest translation."""

    def extreme_into(self, target: cst.Subscript, fn: str, value: cst.BaseExpression, guard: V | None) -> bool:
        """Emit the running `fn` ("min"/"max") of `value` into `target` over the nest axes it does not
        use; False when it uses them all (an element-wise selection, translated as such)."""
        parts = self.reduced_target(target, f"keeps a running {fn}")
        if parts is None:
            return False
        arr, cur, reduced, _order = parts
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

    def choice_loop(self, node: cst.For) -> bool:
        """`for c in range(k): d = ...; if d < best: best = d; label = c` (an argmin, `>` an argmax)
        with `best` and the chosen targets set before: the first strictly best `c` and its value,
        kept only where better than `best` was; False when the loop is not of that form."""
        body = block(node.body)
        last = body[-1] if body else None
        if not (isinstance(node.target, cst.Name) and isinstance(last, cst.If) and last.orelse is None
                and isinstance(last.test, cst.Comparison) and len(last.test.comparisons) == 1
                and isinstance(last.test.comparisons[0].operator, (cst.LessThan, cst.GreaterThan))
                and isinstance(last.test.comparisons[0].comparator, cst.Name)
                and all(m.matches(s, PLAIN) for s in body[:-1] + block(last.body))):
            return False
        best = last.test.comparisons[0].comparator.value
        fn = "min" if isinstance(last.test.comparisons[0].operator, cst.LessThan) else "max"
        picks = [s.body[0] for s in block(last.body)]  # type: ignore[attr-defined]
        keep = [a for a in picks if self.code(a.targets[0].target) == best]
        chosen = [a for a in picks if a not in keep]
        if len(keep) != 1 or self.code(keep[0].value) != self.code(last.test.left) or not chosen or any(
                not (isinstance(a.value, cst.Name) and a.value.value == node.target.value) for a in chosen):
            return False
        old = self.env.get(best)
        if not isinstance(old, V) or best in self.results or best in self.pinned:
            raise Decline(f"`{best}` must be set before the loop that keeps the best value")
        with self.inner_axes([node]) as (inner, _):
            first = self.axes[-1].first()
            for s in body[:-1]:
                a = s.body[0]  # type: ignore[attr-defined]
                self.env[a.targets[0].target.value] = self.expr(a.value)  # a temporary of the loop
            v = self.expr(last.test.left)
        if not (inner <= v.axes and v.exact) or not (v.kind == "py" or v.dtypes and all(
                d.startswith("float") for d in v.dtypes)):
            raise Decline(f"the best of values that are not floats varying with the loop over `{node.target.value}`")
        np_, inf = self.np, f"{self.np}.inf" if fn == "min" else f"-{self.np}.inf"
        left = last.test.left
        values = left.value if isinstance(left, cst.Name) else self.tree.fresh("_values")
        value, index = self.tree.fresh("_best"), self.tree.fresh("_at")
        outer = V("", **{**union(v), "axes": v.axes - inner})
        self.emit(f"{values} = {v.code}", v)
        self.emit(f"{value} = {np_}.f{fn}.reduce({values}, axis=-1, initial={inf})")
        self.emit(f"{index} = {np_}.arg{fn}({np_}.where({np_}.isnan({values}), {inf}, {values}), axis=-1)")
        better = V(f"{value} {'<' if fn == 'min' else '>'} {old.wrap(31)}", 30, **union(outer, old, kind="np"))
        at = fold(index, int(first)) if first.lstrip("-").isdigit() else f"{index} + {first}"
        for a in chosen:
            t = a.targets[0].target
            cur = self.env.get(t.value) if isinstance(t, cst.Name) else self.access(t)
            if not isinstance(cur, V):
                raise Decline(f"`{self.code(t)}` is chosen in the loop but not set before it")
            pick = V(f"{np_}.where({better.code}, {at}, {cur.code})", **union(better, cur, kind="np"))
            if isinstance(t, cst.Name):
                self.env[t.value] = pick
            elif cur.axes == frozenset(range(len(self.axes))):
                self.emit(f"{cur.code} = {pick.code}", pick, writes=cur.reads)
            else:
                raise Decline(f"`{self.code(t)}` is chosen across iterations of a loop it does not index")
        self.env[best] = V(f"{np_}.where({better.code}, {value}, {old.code})", **union(better, old, kind="np"))
        return True
