"""Clipped windows: a loop over every element whose window is clamped at the array's edges, split
by index sets into its interior, where no clamp is active, and its edges, run as the loop was:

    for i in range(n):                for i in range(r, n - r):   # the interior (the vectoriser's)
        lo = max(0, i - r)                s = 0.0
        hi = min(n, i + r + 1)   ->       for k in range((i - r), (i + r + 1)):
        s = 0.0                               s += x[k]
        for k in range(lo, hi):           out[i] = s / (2 * r + 1)
            s += x[k]                 for i in (*range(min(r, n)), *range(max(r, n - r), n)):
        out[i] = s / (hi - lo)            lo = max(0, i - r)   # the loop body as it was
                                          ...

A clamp is `max(c, i + a)` or `min(c, i + b)` (either order) of a loop index `i` (coefficient 1) and a
loop-invariant linear `c`, written inline or bound once to a name read only after it in the same
block. In the interior each clamp is its index argument, and integer arithmetic over one is folded
(`hi - lo` -> `2 * r + 1`) where all its names are loop indices or names of the interior's bounds
(integers: the interior stores only into slices between those bounds, which raise otherwise). The
edges cover exactly the iterations the interior does not, for every n and r, when the interior
starts at or after the loop's start and stops at or before its stop (`Split.conditions`, proven or
checked at run time). Clamps on each of two nested loops give an interior block and edge strips; the
loops between may hold only clamps. Whether the iterations are independent wherever the ranges start
is left to the interior's translation (`translate(..., interior=True)`).
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst
import libcst.matchers as m

from optadvise.rewriters.base import Decline
from optadvise.rewriters.cst import Edits, Tree, expr
from optadvise.rewriters.loops.axes import SHAPE_ITEM, sign_checks
from optadvise.rewriters.loops.indexing import Indexing
from optadvise.rewriters.loops.linear import Lin, linear
from optadvise.rewriters.loops.site import bindings, read_outside
from optadvise.rewriters.loops.statements import suite_statements
from optadvise.rewriters.loops.windows import parsed_symbol

SIDES = {"max": "low", "min": "high"}
LEN_OF = m.Call(func=m.Name("len"), args=[m.Arg(value=m.Name(), keyword=None)])


@dataclass(frozen=True)
class Clamp:
    """`max(c, i + a)` (side "low", inactive from i = c - a on) or `min(c, i + b)` ("high", active from
    i = c - b + 1 on); in the interior it returns its argument at position `arg`."""

    var: str
    side: str
    limit: Lin
    arg: int


@dataclass
class Level:
    """One loop of the split nest: `for var in range(start, stop)` and where its interior starts and
    stops (None: no clamp on that side)."""

    loop: cst.For
    var: str
    start: Lin | None  # None: not linear in loop-invariant names
    stop: Lin | None
    low: Lin | None = None
    high: Lin | None = None

    @property
    def clamped(self) -> bool:
        return self.low is not None or self.high is not None

    def header(self, tree: Tree) -> cst.BaseExpression:
        """The interior's range() call (the loop's own when it is not clamped)."""
        if not self.clamped:
            return self.loop.iter
        first, stop = self.low or self.start or Lin(), self.high or self.stop or Lin()
        return expr(f"range({stop.code()})" if first == Lin() else f"range({first.code()}, {stop.code()})", tree)


@dataclass(frozen=True)
class Split:
    """A clipped loop split at its clamps: the module with the loop replaced by its interior (for the
    vectoriser to translate, at least `depth` loops deep), the loops over its edges, and the forms
    that must be non-negative for edges and interior to cover each iteration once."""

    loop: cst.For
    interior: str
    depth: int
    edges: tuple[cst.BaseStatement, ...]
    conditions: tuple[Lin, ...]

    def checks(self, nest: Indexing) -> list[str]:
        """The run-time checks that make `conditions` hold (declines when one can be neither proven
        nor checked)."""
        out: list[str] = []
        for form in self.conditions:
            got = sign_checks(nest.tree, nest, form)
            if got is None:
                raise Decline(f"the interior of the clipped loop may pass its range ({form.code()} may be negative)")
            out.extend(got)
        return out


def invariant(e: cst.BaseExpression, stored: set[str]) -> str | None:
    """A loop-invariant leaf of a linear form, evaluated as often as wanted: a name not in `stored`,
    or `len(a)` / `a.shape[d]` of one; None for anything else."""
    if isinstance(e, cst.Name):
        return e.value if e.value not in stored else None
    base = e.args[0].value if m.matches(e, LEN_OF) else e.value.value if m.matches(e, SHAPE_ITEM) else None  # type: ignore[attr-defined]
    return parsed_symbol(e) if isinstance(base, cst.Name) and base.value not in stored else None


def outer_chain(loop: cst.For) -> list[cst.For]:
    """`loop` and the loops nested in it as the last statement of the one before, the statements
    ahead of each only `name = max(...)` / `name = min(...)`."""
    chain = [loop]
    while True:
        body = suite_statements(chain[-1].body)
        if not body or not isinstance(body[-1], cst.For) or not all(
                isinstance(s, cst.SimpleStatementLine) and all(m.matches(a, m.Assign(
                    targets=[m.AssignTarget(target=m.Name())], value=m.Call(func=m.Name("max") | m.Name("min"))))
                    for a in s.body) for s in body[:-1]):
            return chain
        chain.append(body[-1])


class Clamps:
    """The clamps of a loop's indices found in its body, in source order."""

    def __init__(self, tree: Tree, loop: cst.For, levels: list[Level]):
        self.tree, self.loop = tree, loop
        self.levels = {lv.var: lv for lv in levels}
        self.stored = tree.stores(loop)
        self.calls: dict[int, Clamp] = {}  # inline and named, by the call's id
        self.named: dict[str, tuple[Clamp, cst.Assign]] = {}  # a name bound once to a clamp -> it, its binding
        for n in tree.walk(loop.body):
            if isinstance(n, cst.Assign):
                self.bind(n)
            elif isinstance(n, cst.Call) and id(n) not in self.calls:
                c = self.clamp(n)
                if c is not None:
                    self.calls[id(n)] = c

    def atom(self, e: cst.BaseExpression) -> str | None:
        """A leaf of a clamp's linear form: a loop index of the split, a named clamp, or an invariant."""
        if isinstance(e, cst.Name) and (e.value in self.levels or e.value in self.named):
            return e.value
        return invariant(e, self.stored)

    def form(self, e: cst.BaseExpression) -> Lin | None:
        """The linear form of `e` in the interior (named clamps replaced by their argument's form)."""
        f = linear(e, self.atom)
        for name, (c, a) in self.named.items():
            if f is not None and f.coef(name):
                value = a.value
                assert isinstance(value, cst.Call)
                arg = self.form(value.args[c.arg].value)
                f = None if arg is None else f.substitute(name, arg)
        return f

    def clamp(self, call: cst.Call) -> Clamp | None:
        """The clamp `call` is, or None."""
        side = SIDES.get(self.tree.resolve(call.func) or "")
        if side is None or len(call.args) != 2 or any(a.keyword or a.star for a in call.args):
            return None
        forms = [self.form(a.value) for a in call.args]
        for k in (0, 1):
            index, bound = forms[k], forms[1 - k]
            if index is None or bound is None or any(bound.coef(v) for v in self.levels):
                continue
            used = [v for v in self.levels if index.coef(v)]
            if len(used) != 1 or index.coef(used[0]) != 1 or not self.tree.inside(call, self.levels[used[0]].loop.body):
                continue
            limit = bound - index.without(used[0])
            return Clamp(used[0], side, limit if side == "low" else limit + 1, k)
        return None

    def bind(self, a: cst.Assign) -> None:
        """Record `name = clamp` when the name is bound nowhere else in the loop and read only after it,
        in the same block."""
        t = a.targets[0].target if len(a.targets) == 1 else None
        c = self.clamp(a.value) if isinstance(a.value, cst.Call) and isinstance(t, cst.Name) else None
        if c is None or not isinstance(t, cst.Name):
            return
        self.calls[id(a.value)] = c
        block = self.tree.parent[self.tree.parent[a]]
        end = self.tree.pos[a].end
        uses = [u for u in self.tree.name_nodes(self.loop, t.value) if u is not t]
        if [b is t for b in bindings(self.tree, self.loop, t.value)] == [True] and uses and all(
                self.tree.inside(u, block) and (self.tree.pos[u].start.line, self.tree.pos[u].start.column)
                > (end.line, end.column) for u in uses):
            self.named[t.value] = (c, a)

    def limit(self, var: str, side: str) -> Lin | None:
        """Where the clamps of `var` on `side` all are inactive: the latest start or the earliest stop;
        declines when two are not a constant apart."""
        lims = [c.limit for c in self.calls.values() if c.var == var and c.side == side]
        if not lims:
            return None
        best = lims[0]
        for x in lims[1:]:
            d = x - best
            if d.terms:
                raise Decline(f"clamps of `{var}` become inactive at `{best.code()}` and `{x.code()}`, "
                              "which are not a constant apart")
            if d.const > 0 if side == "low" else d.const < 0:
                best = x
        return best


class Interior(cst.CSTTransformer):
    """The split loops with their interior headers, each clamp replaced by its argument (a named one
    at every read, its binding removed) and integer arithmetic over one folded where all its names
    are `folded`."""

    def __init__(self, clamps: Clamps, headers: dict[int, cst.BaseExpression], folded: set[str]):
        super().__init__()
        self.clamps, self.headers, self.folded = clamps, headers, folded
        self.defs = {id(a): name for name, (_, a) in clamps.named.items()}
        self.reads = {id(u): name for name, (_, a) in clamps.named.items()
                      for u in clamps.tree.name_nodes(clamps.loop, name) if u is not a.targets[0].target}
        self.values: dict[str, cst.BaseExpression] = {}  # named clamp -> its argument in the interior
        self.marks: dict[int, cst.BaseExpression] = {}  # the nodes that replace a clamp or fold one, by id

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        c = self.clamps.calls.get(id(original))
        if c is None:
            return updated
        return self.marked(updated.args[c.arg].value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()]))

    def leave_Assign(self, original: cst.Assign, updated: cst.Assign) -> cst.Assign | cst.RemovalSentinel:
        name = self.defs.get(id(original))
        if name is None:
            return updated.with_changes(value=self.bare(updated.value))
        self.values[name] = updated.value
        return cst.RemovalSentinel.REMOVE

    def leave_Arg(self, original: cst.Arg, updated: cst.Arg) -> cst.Arg:
        return updated.with_changes(value=self.bare(updated.value))

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.BaseExpression:
        name = self.reads.get(id(original))
        return updated if name is None else self.values[name]

    def leave_BinaryOperation(self, original: cst.BinaryOperation, updated: cst.BinaryOperation) -> cst.BaseExpression:
        return self.fold(updated)

    def leave_UnaryOperation(self, original: cst.UnaryOperation, updated: cst.UnaryOperation) -> cst.BaseExpression:
        return self.fold(updated)

    def leave_For(self, original: cst.For, updated: cst.For) -> cst.For:
        header = self.headers.get(id(original))
        return updated if header is None else updated.with_changes(iter=header)

    def fold(self, e: cst.BaseExpression) -> cst.BaseExpression:
        """`e` as one linear form, when it holds a replaced clamp and all its names are `folded`."""
        if not any(id(n) in self.marks for n in self.clamps.tree.walk(e)):
            return e
        form = linear(e, lambda x: s if (s := parsed_symbol(x)) in self.folded else None)
        return e if form is None else self.marked(cst.parse_expression(f"({form.code()})"))

    def bare(self, e: cst.BaseExpression) -> cst.BaseExpression:
        """`e` without the parentheses a replaced or folded node was given (where it stands alone)."""
        return e.with_changes(lpar=[], rpar=[]) if id(e) in self.marks else e

    def marked(self, e: cst.BaseExpression) -> cst.BaseExpression:
        self.marks[id(e)] = e  # (kept alive: no other node takes its id)
        return e


def level_of(tree: Tree, lp: cst.For, stored: set[str]) -> Level | None:
    """The level of `for var in range([start,] stop)`, or None for another header."""
    it = lp.iter
    if not (isinstance(lp.target, cst.Name) and isinstance(it, cst.Call) and tree.resolve(it.func) == "range"
            and 1 <= len(it.args) <= 2 and all(a.keyword is None and not a.star for a in it.args)) or lp.orelse:
        return None
    args = [a.value for a in it.args]
    start = linear(args[0], lambda e: invariant(e, stored)) if len(args) == 2 else Lin()
    return Level(lp, lp.target.value, start, linear(args[-1], lambda e: invariant(e, stored)))


def edges(tree: Tree, levels: list[Level], d: int) -> list[cst.For]:
    """Copies of the loops `levels[d:]` over the iterations outside the interior, for one interior
    iteration of the loops above: this loop over its edges, then its interior over the edges of the
    loops within."""
    lv = levels[d]
    out: list[cst.For] = []
    if lv.clamped:
        assert isinstance(lv.loop.iter, cst.Call)
        args = [tree.code(a.value) for a in lv.loop.iter.args]
        start = "" if lv.start == Lin() else f"{args[0]}, "
        first = (lv.low or lv.start or Lin()).code()
        parts = ([f"range({start}min({lv.low.code()}, {args[-1]}))"] if lv.low is not None else []) + \
            ([f"range(max({first}, {lv.high.code()}), {args[-1]})"] if lv.high is not None else [])
        header = parts[0] if len(parts) == 1 else f"({', '.join('*' + x for x in parts)})"
        out.append(lv.loop.with_changes(iter=expr(header, tree)))
    inner = edges(tree, levels, d + 1) if d + 1 < len(levels) else []
    if inner:
        assert isinstance(lv.loop.body, cst.IndentedBlock)
        body = [x for s in lv.loop.body.body for x in (inner if s is levels[d + 1].loop else [s])]
        out.append(lv.loop.with_changes(iter=lv.header(tree), body=lv.loop.body.with_changes(body=body)))
    return out


def split_clipped(tree: Tree, scope: cst.CSTNode, loop: cst.For) -> Split | None:
    """`loop` split at the clamps of its index (and of the loops nested in it after clamps only);
    None when no index is clamped; declines a clamp it cannot split."""
    stored = tree.stores(loop)
    levels: list[Level] = []
    for lp in outer_chain(loop):
        lv = level_of(tree, lp, stored)
        if lv is None or len(bindings(tree, loop, lv.var)) != 1:
            break
        levels.append(lv)
    if not levels:
        return None
    clamps = Clamps(tree, loop, levels)
    for lv in levels:
        lv.low, lv.high = clamps.limit(lv.var, "low"), clamps.limit(lv.var, "high")
    clamped = [k for k, lv in enumerate(levels) if lv.clamped]
    if not clamped:
        return None
    levels = levels[:clamped[-1] + 1]
    for lv in levels:
        if lv.clamped and (lv.start is None or lv.stop is None):
            raise Decline(f"the range of the clipped loop over `{lv.var}` is not linear in loop-invariant names")
    defs = {id(a) for _, a in clamps.named.values()}
    for lv, inner in zip(levels, levels[1:]):
        if any(s is not inner.loop and not all(id(a) in defs for a in s.body)  # type: ignore[attr-defined]
               for s in suite_statements(lv.loop.body)):
            raise Decline(f"a statement other than a clamp sits between the loops over `{lv.var}` and `{inner.var}`")
    leaked = stored & read_outside(tree, scope, loop)
    if leaked:
        raise Decline(f"`{sorted(leaked)[0]}` (set in the clipped loop) is read after it")
    folded = {lv.var for lv in levels} | {s for lv in levels if lv.clamped for f in (
        lv.low or lv.start, lv.high or lv.stop) if f is not None for s in f.symbols()}  # the interior's bounds
    headers = {id(lv.loop): lv.header(tree) for lv in levels if lv.clamped}
    interior = loop.visit(Interior(clamps, headers, folded))
    conditions = [c for lv in levels for c in (
        lv.low - lv.start if lv.low is not None and lv.start is not None else None,
        lv.stop - lv.high if lv.high is not None and lv.stop is not None else None) if c is not None]
    return Split(loop, tree.module.visit(Edits(replace={id(loop): interior})).code, len(levels),
                 tuple(x.with_changes(leading_lines=[]) for x in edges(tree, levels, 0)), tuple(conditions))
