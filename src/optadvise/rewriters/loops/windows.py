"""Window loops: a short inner loop over a window around the nest's indices, kept as a loop while the
nest around it becomes whole-array slices (loop interchange), as a numerical programmer writes a
smoothing filter by hand:

    for i in range(r, n - r):              s = 0.0
        s = 0.0                            for k in range(-r, r + 1):
        for k in range(-r, r + 1):    ->       s += a[r + k:n - r + k] * w[k + r]
            s += a[i + k] * w[k + r]       out[r:n - r] = s
        out[i] = s

Each element sees the same operations in the same order. A window counted from a nest index
(`range(i - r, i + r + 1)`) runs over its offsets. A subscript through the window is a slice only
where both of its bounds are proven over the whole nest (linear forms: no negative index that would
wrap around, none past the array's length), else the nest declines; arrays read through a window and
written anywhere in the loop decline (an in-place stencil).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import libcst as cst

from optadvise.rewriters.base import Decline
from optadvise.rewriters.cst import Tree
from optadvise.rewriters.loops.attributes import dotted_key
from optadvise.rewriters.loops.axes import LENGTH, sign_checks
from optadvise.rewriters.loops.dependence import Access
from optadvise.rewriters.loops.extremes import Extremes
from optadvise.rewriters.loops.inner_sums import perfect_inner
from optadvise.rewriters.loops.linear import Lin, greatest, least, linear
from optadvise.rewriters.loops.values import AUG, OPS, Axis, V, merge_kind, union


def written_in(tree: Tree, loop: cst.CSTNode, arr: str) -> bool:
    """Some statement inside `loop` stores into an element or slice of `arr`."""
    for n in tree.walk(loop):
        targets = [t.target for t in n.targets] if isinstance(n, cst.Assign) else \
            [n.target] if isinstance(n, (cst.AugAssign, cst.AnnAssign)) else []
        for t in targets:
            base: cst.BaseExpression = t
            while isinstance(base, cst.Subscript):
                base = base.value
                if dotted_key(base) == arr:
                    return True
    return False


def target_of(a: cst.Assign | cst.AugAssign) -> str | None:
    """The name an assignment of the window body binds (None: it stores into an element)."""
    t = a.target if isinstance(a, cst.AugAssign) else a.targets[0].target
    return t.value if isinstance(t, cst.Name) else None


def parsed_symbol(e: cst.BaseExpression) -> str | None:
    """A leaf of a linear form read back from generated code: a name, `len(x)`, `x.shape[d]`."""
    if isinstance(e, cst.Name):
        return e.value
    if isinstance(e, (cst.Call, cst.Subscript, cst.Attribute)):
        return cst.Module([]).code_for_node(e)
    return None


class Windows(Extremes):
    """The window-loop layer of a loop-nest translation."""

    def window_loop(self, node: cst.For) -> bool:
        """Translate `node` (and the loops perfectly nested in it) as kept window loops when some
        subscript in them adds one of their variables to a nest index; False when it is not a window."""
        chain = perfect_inner(node)
        heads: list[tuple[str, Lin, Lin, int | None, str]] = []
        for lp in chain:
            head = self.window_range(lp)
            if head is None:
                return False
            heads.append(head)
        names = {h[0] for h in heads}
        counted = {h[0] for h in heads if h[3] is not None}  # counted from a nest index
        if len(names) != len(chain) or not self.reads_window(chain[-1], names, counted):
            return False
        stmts = self.window_body(chain[-1])
        if stmts is None:
            return False
        for var, lo, hi, k, _ in heads:
            if var in self.env or var in self.results or var in self.windows or self.axis_of(var) is not None:
                raise Decline(f"`{var}` is the variable of a window loop and used otherwise in the nest")
            self.windows[var] = (lo, hi)
            if k is None:
                self.inner_scalars.add(var)
            else:
                self.shifted[var] = k
        saved = (len(self.out), len(self.accesses), dict(self.env), set(self.pinned), dict(self.grids),
                 list(self.requires))
        try:
            self.kept_loop([h for *_, h in heads], stmts)
        except Decline:
            if any(k is not None or lo.terms or lo.const < 0 for _, lo, _, k, _ in heads):
                raise
            # ranges from a non-negative literal: other translations may read through index grids
            del self.out[saved[0]:], self.accesses[saved[1]:]
            self.env, self.pinned, self.grids, self.requires = saved[2:]
            return False
        finally:
            for var, *_ in heads:
                self.windows.pop(var)
                self.shifted.pop(var, None)
                self.inner_scalars.discard(var)
        return True

    def kept_loop(self, headers: list[str], stmts: Sequence[cst.Assign | cst.AugAssign]) -> None:
        """Emit the loops `headers` (outermost first) around `stmts`, assignments to names run on whole
        arrays: a name the body reads before assigning carries its value from before the loops (declines
        if none); `t op= v` stays in place where `t` held a scalar before (its first update makes a new
        array), else is written `t = t op v` (`t` may be a view of an input). An element of the nest's
        own (`out[i] += v`) is updated in place over the nest's slice."""
        carried: list[str] = []
        fresh: set[str] = set()
        for a in stmts:
            t = target_of(a)
            if t is None:
                continue
            reads = isinstance(a, cst.AugAssign) or bool(self.tree.name_nodes(a.value, t))
            if t not in carried and not reads and not isinstance(self.env.get(t), V):
                fresh.add(t)
            if t not in carried:
                carried.append(t)
        inits: dict[str, V] = {}
        for c in carried:
            old = self.env.get(c)
            if c in fresh:
                continue
            if not isinstance(old, V) or c in self.results:
                raise Decline(f"`{c}` is not defined before the inner loop")
            inits[c] = old
        for c, v in inits.items():
            if v.code != c:
                self.emit(f"{c} = {v.code}", v)
        in_place = {c for c, v in inits.items() if not v.axes and not any(
            isinstance(a, cst.Assign) and target_of(a) == c for a in stmts)}
        axes = {c: inits[c].axes if c in inits else frozenset() for c in carried}
        for _ in range(len(self.axes) + 2):
            for c, v in inits.items():
                self.env[c] = replace(v, code=c, prec=100, axes=axes[c])
            lines: list[str] = []
            vals: list[V] = []
            writes: list[Access] = []
            for a in stmts:
                name = target_of(a)
                if name is None:
                    line, v, cur = self.element_update(a)
                    lines.append(line)
                    vals.extend((v, cur))
                    writes.extend(cur.reads)
                    continue
                c = name
                if isinstance(a, cst.AugAssign):
                    op = AUG.get(type(a.operator))
                    if op is None:
                        raise Decline("augmented operator not vectorized")
                    rhs = self.expr(a.value)
                    v = self.combine(op, self.name(c), rhs)
                    lines.append(f"{c} {OPS[op]}= {rhs.code}" if c in in_place else f"{c} = {v.code}")
                else:
                    v = self.expr(a.value)
                    lines.append(f"{c} = {v.code}")
                vals.append(v)
                new = axes[c] | v.axes
                self.env[c] = replace(v, code=c, prec=100, axes=new)
                if new != axes[c]:
                    axes[c] = new
                    break
            else:
                break
        else:
            raise Decline("inner loop values do not settle")
        code = [f"{'    ' * d}{h}" for d, h in enumerate(headers)]
        code += [f"{'    ' * len(headers)}{ln}" for ln in lines]
        self.emit("\n".join(code), V("", **union(*vals, *inits.values())), writes=tuple(writes))
        for c in carried:
            first = [inits[c]] if c in inits else []
            self.env[c] = V(c, axes=axes[c], kind=merge_kind(*first, *vals),
                            exact=c in inits and axes[c] == inits[c].axes,
                            reads=sum((v.reads for v in vals), inits[c].reads if c in inits else ()),
                            dtypes=frozenset().union(*(v.dtypes for v in vals)))
            self.pinned.add(c)

    def element_update(self, a: cst.Assign | cst.AugAssign) -> tuple[str, V, V]:
        """(line, value, element) of `out[i] op= v` / `out[i] = v` in a kept loop, the element one
        per iteration of every nest loop."""
        target = a.target if isinstance(a, cst.AugAssign) else a.targets[0].target
        assert isinstance(target, cst.Subscript)
        cur = self.access(target)
        if cur.axes != frozenset(range(len(self.axes))):
            raise Decline(f"`{self.code(target)}` is overwritten across iterations of a loop it does not index")
        v = self.expr(a.value)
        if isinstance(a, cst.AugAssign):
            op = AUG.get(type(a.operator))
            if op is None:
                raise Decline("augmented operator not vectorized")
            return f"{cur.code} {OPS[op]}= {v.code}", v, cur
        lhs = cur.code if "[" in cur.code else f"{cur.code}[:]"
        return f"{lhs} = {v.code}", v, cur

    def expr(self, node: cst.BaseExpression) -> V:
        """As the nest translates it, except a linear form in which a window's nest index cancels
        (`k - i + 1` with `k` counted from `i`): an offset, the same for every element."""
        window = self.window_index(node) if self.shifted else None
        if window is not None and window[0] is None and isinstance(window[1], Lin):
            return V(window[1].code(set(self.windows)), 60, kind="int")
        return super().expr(node)

    def reads_window(self, node: cst.CSTNode, names: set[str], counted: set[str]) -> bool:
        """A subscript inside `node` mixes a nest index with `names`, or uses one of `counted`."""
        for n in self.tree.walk(node):
            if isinstance(n, cst.SubscriptElement):
                used = {x.value for x in self.tree.walk(n) if isinstance(x, cst.Name)}
                if used & counted or used & names and any(self.axis_of(x) is not None for x in used):
                    return True
        return False

    def window_range(self, lp: cst.For) -> tuple[str, Lin, Lin, int | None, str] | None:
        """(variable, start, stop, the nest axis the window is counted from or None, header code) of
        `for k in range(start, stop)` with linear bounds over loop-invariant names (both may add the
        same nest index `i`: the loop then runs over the offsets from `i`); None for other headers."""
        it = lp.iter
        if not (isinstance(lp.target, cst.Name) and isinstance(it, cst.Call) and self.tree.resolve(it.func) == "range"
                and 1 <= len(it.args) <= 3 and all(a.keyword is None and not a.star for a in it.args)) or lp.orelse:
            return None
        args = [a.value for a in it.args]
        if len(args) == 3 and not (isinstance(args[2], cst.Integer) and args[2].value == "1"):
            return None
        lo = linear(args[0], self.symbol) if len(args) >= 2 else Lin()
        hi = linear(args[1] if len(args) >= 2 else args[0], self.symbol)
        if lo is None or hi is None:
            return None
        axes = {s for s in lo.symbols() | hi.symbols() if self.axis_of(s) is not None}
        if lo.symbols() & set(self.windows) or hi.symbols() & set(self.windows) or len(axes) > 1:
            return None  # a triangle over another window loop, or two nest indices
        var = lp.target.value
        if not axes:
            return var, lo, hi, None, f"for {var} in {self.code(it)}:"
        i = axes.pop()
        if lo.coef(i) != 1 or hi.coef(i) != 1:
            return None
        lo, hi = lo.without(i), hi.without(i)
        span = f"{hi.code()}" if lo == Lin() else f"{lo.code()}, {hi.code()}"
        return var, lo, hi, self.axis_of(i), f"for {var} in range({span}):"

    def window_body(self, lp: cst.For) -> list[cst.Assign | cst.AugAssign] | None:
        """The innermost body when it is assignments and augmented assignments to names and elements."""
        body = lp.body.body if isinstance(lp.body, cst.IndentedBlock) else lp.body.body
        out: list[cst.Assign | cst.AugAssign] = []
        for s in body:
            smalls = s.body if isinstance(s, cst.SimpleStatementLine) else [s] if isinstance(
                s, cst.BaseSmallStatement) else None
            if smalls is None:
                return None
            for a in smalls:
                if isinstance(a, cst.AugAssign) or isinstance(a, cst.Assign) and len(a.targets) == 1:
                    t = a.target if isinstance(a, cst.AugAssign) else a.targets[0].target
                    if isinstance(t, (cst.Name, cst.Subscript)):
                        out.append(a)
                        continue
                return None
        return out

    def window_slice(self, arr: str, pos: int, ax: Axis, off: Lin) -> str:
        """The slice of `arr` along subscript `pos` read at nest index `ax` plus the window offset `off`,
        once its bounds are proven for every iteration; declines naming the bound it cannot prove."""
        assert self.loop_stmt is not None
        if written_in(self.tree, self.loop_stmt, arr):
            raise Decline(f"`{arr}` is read through a window and written in the loop (an in-place stencil)")
        first = linear(cst.parse_expression(ax.first()), parsed_symbol)
        stop = linear(cst.parse_expression(ax.stop), parsed_symbol)
        if first is None or stop is None:
            raise Decline(f"the bounds of the loop over `{ax.var}` are not linear in loop-invariant names")
        var = ax.var or ""
        index = Lin.of(var) + off
        ranges = {**self.windows, var: (first, stop)}
        low, high = least(index, ranges), greatest(index, ranges)
        sub = f"`{arr}[{'..., ' * (pos > 0)}{ax.var} + {off.code(set(self.windows))}]`"
        if not self.non_negative(low, allow_checks=True):
            raise Decline(f"{sub} may be negative ({low.code()}: it would wrap around)")
        if not self.non_negative(Lin.of(f"{LENGTH}{arr}:{pos}") - 1 - high, allow_checks=False):
            raise Decline(f"{sub} may pass the end of `{arr}` ({high.code()} >= its length)")
        last = set(self.windows)
        if not self.non_negative(stop - first - 1, allow_checks=False):  # the bounds hold if it runs:
            runs = f"{stop.code(last)} > {first.code(last)}"  # else a slice's end could wrap around
            self.require([runs])
        return f"{(first + off).code(last)}:{(stop + off).code(last)}"

    def non_negative(self, form: Lin, allow_checks: bool) -> bool:
        """`form >= 0` for every value of its symbols (`axes.sign_checks`), the checks it needs recorded."""
        checks = sign_checks(self.tree, self, form, allow_checks)
        if checks is None:
            return False
        self.require(checks)
        return True
