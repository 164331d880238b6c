"""Inner sums: an inner loop (or perfect nest of them) that sets temporaries and accumulates into
names set earlier in the body, as a distance or a dot product is written by hand:

    d2 = 0.0
    for k in range(dim):
        diff = X[i, k] - X[j, k]
        d2 += diff * diff

The inner loops become extra trailing axes of the nest, the temporaries whole-array values over
them, and each accumulator its value before the loop plus `np.sum(value, axis=...)` over those axes.
Values that do not vary with every summed axis, accumulators read inside the loop and temporaries
live after it decline.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import libcst as cst

from optadvise.rewriters.base import Decline
from optadvise.rewriters.cst import Tree
from optadvise.rewriters.loops.axes import build_axes
from optadvise.rewriters.loops.inline import Inlined
from optadvise.rewriters.loops.values import V, union


def perfect_inner(node: cst.For) -> list[cst.For]:
    """`node` and the loops nested in it as the only statement of the one before."""
    chain = [node]
    while isinstance(chain[-1].body, cst.IndentedBlock) and len(chain[-1].body.body) == 1 \
            and isinstance(chain[-1].body.body[0], cst.For):
        chain.append(chain[-1].body.body[0])
    return chain


def sum_body(chain: list[cst.For]) -> tuple[list[cst.AugAssign | cst.Assign], set[str], set[str]] | None:
    """The innermost body as (statements, accumulated names, temporaries) when it is only `t += v`,
    `t -= v` and single assignments to names, each temporary assigned once; else None."""
    body = chain[-1].body
    if not isinstance(body, cst.IndentedBlock):
        return None
    stmts: list[cst.AugAssign | cst.Assign] = []
    sums: set[str] = set()
    temps: set[str] = set()
    for s in body.body:
        if not isinstance(s, cst.SimpleStatementLine):
            return None
        for a in s.body:
            if isinstance(a, cst.AugAssign) and isinstance(a.target, cst.Name) \
                    and isinstance(a.operator, (cst.AddAssign, cst.SubtractAssign)) and a.target.value not in temps:
                sums.add(a.target.value)
            elif isinstance(a, cst.Assign) and len(a.targets) == 1 and isinstance(a.targets[0].target, cst.Name) \
                    and a.targets[0].target.value not in sums | temps:
                temps.add(a.targets[0].target.value)
            else:
                return None
            stmts.append(a)
    return (stmts, sums, temps) if sums else None


def sum_of_generator(tree: Tree, node: cst.CSTNode) -> cst.GeneratorExp | None:
    """The generator of `sum(x for k in range(...))` (one `for`, optional `if`s), else None."""
    if not (isinstance(node, cst.Call) and tree.resolve(node.func) == "sum" and len(node.args) == 1):
        return None
    gen = node.args[0].value
    if not isinstance(gen, cst.GeneratorExp) or node.args[0].keyword is not None or node.args[0].star:
        return None
    comp = gen.for_in
    if comp.inner_for_in is not None or comp.asynchronous is not None or not isinstance(comp.target, cst.Name):
        return None
    return gen


class InnerSums(Inlined):
    """The inner-sum layer of a loop-nest translation."""

    @contextmanager
    def inner_axes(self, loops: list[cst.For]) -> Iterator[tuple[frozenset[int], str]]:
        """Within: the `loops` are extra trailing axes, values set before broadcast over them; yields
        those axes and the `axis=` argument that sums them. After: axes and names as they were."""
        n0, d = len(self.axes), len(loops)
        saved = dict(self.env)
        build_axes(self.tree, self.tree.scope_of(self.loop_stmt), loops, self)  # type: ignore[arg-type]
        try:
            expand = "[..., " + ", ".join(["None"] * d) + "]"
            for k, v in list(self.env.items()):
                if isinstance(v, V) and v.axes:
                    self.env[k] = replace(v, code=f"{v.wrap(100)}{expand}", prec=100)
            yield frozenset(range(n0, n0 + d)), "-1" if d == 1 else "(" + ", ".join(
                str(-k) for k in range(d, 0, -1)) + ")"
        finally:
            del self.axes[n0:]
            self.env = saved

    def summed_over(self, v: V, inner: frozenset[int], axis: str, node: cst.BaseExpression) -> V:
        """`np.sum(v, axis=...)` over the inner axes, which `v` must vary with."""
        if not (inner <= v.axes and v.exact):
            raise Decline(f"summed `{self.code(node)}` does not vary with every inner loop")
        self.sum_types(v.dtypes)
        return V(f"{self.np}.sum({v.code}, axis={axis})", **{**union(v), "axes": v.axes - inner})

    def call(self, node: cst.Call) -> V:
        gen = sum_of_generator(self.tree, node)
        if gen is None:
            return super().call(node)
        comp = gen.for_in
        loop = cst.For(target=comp.target, iter=comp.iter, body=cst.IndentedBlock(body=[]))
        with self.inner_axes([loop]) as (inner, axis):
            v = self.expr(gen.elt)
            if v.kind not in ("np", "py"):
                raise Decline("sum() of Python ints or values of unknown type (int64 would overflow)")
            for cond in comp.ifs:
                keep = self.test(cond.test)
                v = V(f"{self.np}.where({keep.code}, {v.code}, 0)", **union(keep, v, kind=v.kind))
            total = self.summed_over(v, inner, axis, gen.elt)
        self.reductions = True
        return replace(total, kind="np")

    def sum_loop(self, node: cst.For) -> bool:
        """Translate `node` as an inner sum into accumulators set earlier in the body; False when it
        is not of that form (another translation may apply)."""
        chain = perfect_inner(node)
        found = sum_body(chain)
        if found is None:
            return False
        stmts, sums, temps = found
        olds = {t: self.env.get(t) for t in sums}
        if any(not isinstance(v, V) or t in self.results or t in self.pinned for t, v in olds.items()):
            return False
        if temps & set(self.env):
            raise Decline(f"`{sorted(temps & set(self.env))[0]}` is set before an inner sum and again inside it")
        added: dict[str, list[tuple[str, V]]] = {t: [] for t in sums}
        with self.inner_axes(chain) as (inner, axis):
            for t in sums:
                del self.env[t]  # read inside the sum, it would hold a partial sum: declines as unassigned
            for a in stmts:
                v = self.expr(a.value)
                if isinstance(a, cst.Assign):
                    self.env[a.targets[0].target.value] = v  # type: ignore[attr-defined]
                    continue
                sign = "+" if isinstance(a.operator, cst.AddAssign) else "-"
                added[a.target.value].append((sign, self.summed_over(v, inner, axis, a.value)))  # type: ignore[attr-defined]
        for t, parts in added.items():
            old = olds[t]
            assert isinstance(old, V)
            code = " ".join([old.wrap(60)] + [f"{s} {p.code}" for s, p in parts])
            self.env[t] = V(code, 60, **{**union(old, *(p for _, p in parts)), "kind": "np"})
        self.reductions = True
        return True
