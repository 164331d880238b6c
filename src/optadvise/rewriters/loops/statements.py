"""Emission of whole-array statements for a loop body, one per body statement (loop distribution).

Assignments to elements and temporaries, reductions (sums, dot products, counts, running min/max),
arrays and lists grown per iteration, if/elif/else as masks or `np.where`, and inner sequential
loops (per-element state) become NumPy statements; `Nest` is the complete translator of a nest body.
"""

from __future__ import annotations

from dataclasses import replace

import libcst as cst
import libcst.matchers as m

from optadvise.rewriters.base import Decline
from optadvise.rewriters.cst import Tree
from optadvise.rewriters.loops.bounds import const_mag
from optadvise.rewriters.loops.indexing import int_value
from optadvise.rewriters.loops.site import last_assignment_before
from optadvise.rewriters.loops.values import AUG, OPS, PREC, Row, V, select_kind, union
from optadvise.rewriters.loops.windows import Windows

CONTINUE_IF = m.If(body=m.IndentedBlock(body=[m.SimpleStatementLine(body=[m.Continue()])]), orelse=None)
UNROLL = 9  # constant inner loops of at most this many values are unrolled
UNROLLED_CODE = 1500  # longest expression unrolling may build (characters)
APPEND = m.Expr(value=m.Call(func=m.Attribute(value=m.Name(), attr=m.Name("append")), args=[m.DoNotCare()]))


def literal_ints(tree: Tree, it: cst.BaseExpression) -> list[int] | None:
    """The values of a tuple or list of integer literals (`-1` included), or of range() with literal
    arguments; None for anything else."""
    if isinstance(it, cst.Call) and tree.resolve(it.func) == "range" and 1 <= len(it.args) <= 3 \
            and all(a.keyword is None and not a.star for a in it.args):
        args = [int_value(a.value, {}) for a in it.args]
        return list(range(*args)) if all(a is not None for a in args) else None  # type: ignore[arg-type]
    if isinstance(it, (cst.Tuple, cst.List)):
        vals = [int_value(e.value, {}) if isinstance(e, cst.Element) else None for e in it.elements]
        return vals if all(v is not None for v in vals) else None  # type: ignore[return-value]
    return None


def short_constant(tree: Tree, it: cst.BaseExpression) -> bool:
    """At most UNROLL literal values (a loop `unroll` translates)."""
    values = literal_ints(tree, it)
    return values is not None and len(values) <= UNROLL


def plain_assignments(node: cst.For) -> list[cst.Assign] | None:
    """The statements of the loop body when all are `name = value`, else None."""
    out: list[cst.Assign] = []
    for s in suite_statements(node.body):
        if not (isinstance(s, cst.SimpleStatementLine) and all(
                isinstance(a, cst.Assign) and len(a.targets) == 1 and isinstance(a.targets[0].target, cst.Name)
                for a in s.body)):
            return None
        out.extend(a for a in s.body if isinstance(a, cst.Assign))
    return out


def suite_statements(suite: cst.BaseSuite) -> list[cst.BaseStatement]:
    """The statements of a block (a one-line suite as one statement line)."""
    if isinstance(suite, cst.IndentedBlock):
        return list(suite.body)
    assert isinstance(suite, cst.SimpleStatementSuite)
    return [cst.SimpleStatementLine(body=list(suite.body))]


class Nest(Windows):
    """Translates the body of a loop nest; `out` collects the emitted statements' source lines."""

    skip: V | None = None  # the guard of the statements after `if cond: continue` (not a branch)

    def body(self, stmts: list[cst.BaseStatement], guard: V | None = None) -> None:
        for idx, s in enumerate(stmts):
            if m.matches(s, CONTINUE_IF):
                assert isinstance(s, cst.If)
                cond = self.test(s.test)
                keep = V(f"{self.np}.logical_not({cond.code})", **union(cond, kind="np"))
                mask = self.tree.fresh("_keep")
                self.emit(f"{mask} = {keep.code}", keep)
                keep = V(mask, **union(keep, kind="np"))
                self.skip = keep if guard is None else V(f"{self.np}.logical_and({guard.code}, {keep.code})",
                                                         **union(guard, keep, kind="np"))
                return self.body(stmts[idx + 1:], self.skip)
            if isinstance(s, cst.SimpleStatementLine):
                for small in s.body:
                    self.small(small, guard)
            elif isinstance(s, cst.If):
                self.if_(s, guard)
            elif isinstance(s, cst.For) and guard is None and not short_constant(self.tree, s.iter) \
                    and self.window_loop(s):
                continue  # (a short constant window is unrolled instead)
            elif isinstance(s, cst.For) and guard is None:
                try:
                    done = self.accumulate_loop(s)
                except Decline:
                    if literal_ints(self.tree, s.iter) is None:
                        raise
                    done = False  # a constant loop: unrolled, it keeps the exact order of operations
                if not (done or self.unroll(s) or self.sum_loop(s) or self.choice_loop(s)):
                    self.inner_loop(s)
            else:
                raise Decline(f"the loop body has a `{type(s).__name__}` statement (control flow not vectorized)")

    def small(self, node: cst.BaseSmallStatement, guard: V | None) -> None:
        if isinstance(node, cst.Pass):
            return
        if isinstance(node, cst.Assign):
            if len(node.targets) != 1:
                raise Decline("chained assignment in the loop")
            target = node.targets[0].target
            if isinstance(target, cst.Subscript) and self.row_parts(target)[1]:
                return self.write(target, self.row_expr(node.value), None, guard)
            if isinstance(target, cst.Subscript):
                v = node.value  # `x[...] = x[...] + product` (or `product + x[...]`) accumulates like `+=`
                if isinstance(v, cst.BinaryOperation) and isinstance(v.operator, (cst.Add, cst.Subtract)) \
                        and self.code(v.left) == self.code(target) \
                        and self.contraction(target, v.right, type(v.operator), guard):
                    return None
                if isinstance(v, cst.BinaryOperation) and isinstance(v.operator, cst.Add) \
                        and self.code(v.right) == self.code(target) \
                        and self.contraction(target, v.left, cst.Add, guard):
                    return None
                fn = self.tree.resolve(v.func) if isinstance(v, cst.Call) else None
                if isinstance(v, cst.Call) and fn in ("min", "max") and len(v.args) == 2 \
                        and self.code(v.args[0].value) == self.code(target) \
                        and self.extreme_into(target, fn, v.args[1].value, guard):
                    return None  # `best[i] = min(best[i], d)` over a loop `best[i]` does not use
                return self.write(target, self.expr(node.value), None, guard)
            if not isinstance(target, cst.Name):
                raise Decline("tuple unpacking in the loop")
            return self.assign(target.value, node.value, guard)
        if isinstance(node, cst.AugAssign):
            op = AUG.get(type(node.operator))
            if op is None:
                raise Decline("augmented operator not vectorized")
            if isinstance(node.target, cst.Subscript) and self.row_parts(node.target)[1]:
                return self.write(node.target, self.row_expr(node.value), op, guard)
            if isinstance(node.target, cst.Subscript):
                try:
                    if op in (cst.Add, cst.Subtract) and self.contraction(node.target, node.value, op, guard):
                        return None
                    return self.write(node.target, self.expr(node.value), op, guard)
                except Decline as why:
                    if op not in (cst.Add, cst.Subtract):
                        raise
                    return self.scatter(node.target, node.value, op, guard, why)
            if isinstance(node.target, cst.Name) and self.temporary(node.target.value):
                return self.update(node.target.value, op, node.value, guard)
            if isinstance(node.target, cst.Name) and op in (cst.Add, cst.Subtract, cst.Multiply):
                return self.reduce(node.target.value, OPS[op], node.value, guard)
            raise Decline("augmented assignment not vectorized")
        if m.matches(node, APPEND):
            call = node.value  # type: ignore[attr-defined]
            return self.list_append(call.func.value.value, call.args[0].value, guard)
        raise Decline(f"statement `{self.code(node)}` is not vectorized")

    def assign(self, t: str, value: cst.BaseExpression, guard: V | None) -> None:
        if t in self.pinned or t in self.results:
            raise Decline(f"`{t}` is reassigned after it was used as a whole-array value")
        np_ = self.np
        fn = self.tree.resolve(value.func) if isinstance(value, cst.Call) else None
        args = value.args if isinstance(value, cst.Call) else ()
        first = args[0].value if args else None
        if isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.Add) \
                and not self.temporary(t) \
                and any(isinstance(x, cst.Name) and x.value == t for x in (value.left, value.right)):
            other = value.right if isinstance(value.left, cst.Name) and value.left.value == t else value.left
            return self.reduce(t, "+", other, guard)
        if fn in ("max", "min") and len(args) == 2 and isinstance(first, cst.Name) and first.value == t:
            return self.extreme(t, fn, args[1].value, guard)
        if fn in ("numpy.append", "numpy.concatenate", "numpy.vstack") and isinstance(value, cst.Call) \
                and isinstance(first, (cst.Name, cst.List, cst.Tuple)):
            return self.grow(t, fn, value, guard)
        row = self.row(value) if isinstance(value, cst.Call) and fn == "numpy.array" and guard is None else None
        if row is not None:
            self.env[t] = row
            return
        v = self.index_value(value) if fn == "int" and self.index_only(t) else self.row_expr(value)
        if guard is not None and t not in self.env:
            guard = None  # a temporary new to this branch (or set after `continue`): computed everywhere,
            # used only where the branch's mask keeps it (`branch` forgets it afterwards)
        if guard is not None:
            old = self.env.get(t)
            if not isinstance(old, V):
                raise Decline(f"`{t}` is assigned only on some branches")
            if v.own or old.own:
                raise Decline(f"`{t}` holds a row assigned under a condition")
            v = V(f"{np_}.where({guard.code}, {v.code}, {old.code})", **union(guard, v, old, kind=select_kind(v, old)))
        if guard is None and v.axes and self.assign_count.get(t, 0) == 1:
            self.emit(f"{t} = {v.code}", v)
            v = replace(v, code=t, prec=100)
            self.pinned.add(t)
        self.env[t] = v

    def temporary(self, t: str) -> bool:
        """`t` holds a value assigned earlier in this iteration (not a whole-array name or a result)."""
        return isinstance(self.env.get(t), V) and t not in self.pinned and t not in self.results

    def update(self, t: str, op: type[cst.BaseBinaryOp], value: cst.BaseExpression, guard: V | None) -> None:
        """`t op= value` on a temporary of this iteration: its new value, selected by `guard` if any."""
        old = self.env[t]
        assert isinstance(old, V)
        v = self.combine(op, old, self.expr(value))
        if guard is not None:
            v = V(f"{self.np}.where({guard.code}, {v.code}, {old.code})",
                  **union(guard, v, old, kind=select_kind(v, old)))
        self.env[t] = v

    def unroll(self, node: cst.For) -> bool:
        """`for d in (-1, 0, 1):` (a literal tuple or list of ints, or range() of int literals, at most
        UNROLL values) in the body: translated once per value, in order, `d` a constant each time."""
        values = literal_ints(self.tree, node.iter)
        if values is None or len(values) > UNROLL or not isinstance(node.target, cst.Name) or node.orelse \
                or isinstance(node.iter, cst.Call) and plain_assignments(node) is not None:
            return False  # a range() stepping per-element state stays a loop (`inner_loop`)
        var = node.target.value
        if var in self.results or var in self.pinned or self.axis_of(var) is not None:
            raise Decline(f"`{var}` is the variable of a constant loop and used otherwise in the nest")
        for c in values:
            self.unrolled[var] = c
            self.env[var] = V(str(c), 100 if c >= 0 else 80, kind="int", mag=const_mag(c, len(self.axes)))
            self.body(suite_statements(node.body))
        if any(isinstance(v, V) and len(v.code) > UNROLLED_CODE for v in self.env.values()):
            raise Decline(f"unrolling the loop over `{var}` gives an expression too long to read")
        return True

    def row(self, call: cst.Call) -> Row | None:
        if len(call.args) != 1 or call.args[0].keyword is not None:
            return None
        lst = call.args[0].value
        two = isinstance(lst, cst.List) and len(lst.elements) == 1 and isinstance(lst.elements[0].value, cst.List)
        if two and isinstance(lst, cst.List):
            lst = lst.elements[0].value
        if not isinstance(lst, cst.List) or any(isinstance(e, cst.StarredElement) for e in lst.elements):
            return None
        return Row([self.expr(e.value) for e in lst.elements], two)

    def rows_code(self, row: Row, guard: V | None) -> V:
        if len(self.axes) != 1 or any(e.axes != frozenset({0}) or not e.exact for e in row.elems):
            raise Decline("a row built per iteration from values that do not all vary with the loop")
        v = V(f"{self.np}.column_stack([{', '.join(e.code for e in row.elems)}])", **union(*row.elems))
        return self.masked(v, guard)

    def masked(self, v: V, guard: V | None) -> V:
        if guard is None:
            return v
        if guard.axes != frozenset(range(len(self.axes))) or not guard.exact:
            raise Decline("a condition that does not vary with every loop index selects elements")
        return V(f"{v.wrap(100)}[{guard.code}]", **union(v, guard, kind=v.kind))

    def full(self, v: V) -> None:
        if v.axes != frozenset(range(len(self.axes))) or not v.exact:
            raise Decline("a reduced/collected value does not vary with every loop index")

    def grow(self, t: str, fn: str, call: cst.Call, guard: V | None) -> None:
        self.results.add(t)
        np_ = self.np
        if any(a.keyword is not None for a in call.args):
            raise Decline("np.append/concatenate with keyword arguments in the loop")
        if fn == "numpy.append":
            if len(call.args) != 2 or not (isinstance(call.args[0].value, cst.Name) and call.args[0].value.value == t):
                raise Decline("np.append not of the form `x = np.append(x, v)`")
            x = call.args[1].value
            row = self.env.get(x.value) if isinstance(x, cst.Name) else None
            if isinstance(row, Row) or (isinstance(x, cst.Call) and self.tree.resolve(x.func) == "numpy.array"):
                r = row if isinstance(row, Row) else self.row(x)  # type: ignore[arg-type]
                if r is None:
                    raise Decline("np.append of a computed array")
                v = self.rows_code(r, guard)
            else:
                v = self.expr(x)
                self.full(v)
                v = self.masked(v, guard)
            return self.emit(f"{t} = {np_}.append({t}, {v.code})", v)
        seq = call.args[0].value
        if len(call.args) != 1 or not isinstance(seq, (cst.List, cst.Tuple)) or len(seq.elements) != 2 \
                or not (isinstance(seq.elements[0].value, cst.Name) and seq.elements[0].value.value == t):
            raise Decline("concatenate not of the form `x = np.concatenate([x, row])`")
        x = seq.elements[1].value
        got: object = self.env.get(x.value) if isinstance(x, cst.Name) else \
            self.row(x) if isinstance(x, cst.Call) and self.tree.resolve(x.func) == "numpy.array" else None
        if not isinstance(got, Row):
            raise Decline("concatenation of something other than a row built with np.array([...])")
        v = self.rows_code(got, guard)
        if fn == "numpy.concatenate" and not got.two_d:
            v = replace(v, code=f"{v.wrap(100)}.ravel()")
        short = fn.split(".")[1]
        self.emit(f"{t} = {np_}.{short}([{t}, {v.code}])", v)

    def list_append(self, lst: str, value: cst.BaseExpression, guard: V | None) -> None:
        init = last_assignment_before(self.tree, self.loop_stmt, lst)  # type: ignore[arg-type]
        if not (isinstance(init, cst.List) and not init.elements) and not (
                isinstance(init, cst.Call) and self.tree.resolve(init.func) == "list" and not init.args):
            raise Decline(f"`{lst}` is not a list created empty just before the loop")
        self.results.add(lst)
        v = self.expr(value)
        self.full(v)
        v = self.masked(v, guard)
        flat = v.wrap(100) if len(self.axes) == 1 or guard is not None else f"{v.wrap(100)}.ravel()"
        if v.kind == "np":  # iterating an array yields NumPy scalars, as the loop appended
            code = flat if flat != v.wrap(100) else v.code
        elif v.kind in ("py", "int"):  # the loop appended Python floats/ints
            code = f"{flat}.tolist()"
        else:
            raise Decline("appended values mix Python and NumPy scalar types")
        self.emit(f"{lst}.extend({code})", v)

    def reduce(self, t: str, op: str, value: cst.BaseExpression, guard: V | None) -> None:
        if t in self.env:
            raise Decline(f"`{t}` is both accumulated and used as a temporary")
        self.results.add(t)
        self.reductions = True
        np_ = self.np
        if isinstance(value, (cst.Integer, cst.Float)) and op in "+-":
            if guard is None:
                raise Decline("a constant accumulated every iteration")
            self.full(guard)
            red = f"int({np_}.count_nonzero({guard.code}))"
            if value.value != "1":
                red = f"{self.code(value)} * {red}"
            return self.emit(f"{t} {op}= {red}", guard)
        if op == "+" and guard is None and len(self.axes) == 1 and isinstance(value, cst.BinaryOperation) \
                and isinstance(value.operator, cst.Multiply):
            x, y = self.expr(value.left), self.expr(value.right)
            if all(w.axes == frozenset({0}) and w.exact and w.kind == "np" for w in (x, y)):
                self.sum_types(x.dtypes | y.dtypes)
                return self.emit(f"{t} += {np_}.dot({x.code}, {y.code})", V("", **union(x, y)))
        v = self.expr(value)
        self.full(v)
        if op == "*" and not all(d.startswith("float") for d in v.dtypes):
            raise Decline("product reduction over non-float values (overflow semantics differ)")
        if guard is not None:
            v = V(f"{np_}.where({guard.code}, {v.code}, {1 if op == '*' else 0})", **union(guard, v, kind=v.kind))
        red = f"{np_}.{'prod' if op == '*' else 'sum'}({v.code})"
        if v.kind == "py":
            red = f"float({red})"
        elif v.kind == "int":
            red = f"int({red})"
        else:  # NumPy (or unknown-but-not-int) scalars: the sum's value is the same
            self.sum_types(v.dtypes)
        self.emit(f"{t} {op}= {red}", v)

    def extreme(self, t: str, fn: str, value: cst.BaseExpression, guard: V | None) -> None:
        if t in self.env:
            raise Decline(f"`{t}` is both a running {fn} and a temporary")
        self.results.add(t)
        self.reductions = True
        v = self.expr(value)
        if not v.axes or not v.exact:
            raise Decline(f"running {fn} of a value that does not vary with the loop")
        where = f", where={guard.code}" if guard is not None else ""
        # Python's max(t, x) keeps t unless x is strictly greater, skipping NaNs: that is fmax.
        ufunc = "fmax" if fn == "max" else "fmin"
        red = f"{self.np}.{ufunc}.reduce({v.code}, axis=None, initial={t}{where})"
        if v.kind == "py":
            red = f"float({red})"  # the loop kept Python floats (math.* results)
        elif v.kind != "np":
            raise Decline(f"running {fn} over values of mixed or integer Python type")
        self.emit(f"{t} = {red}", V("", **union(v, *([guard] if guard else []))))

    def if_(self, node: cst.If, guard: V | None) -> None:
        leaves = self.branch_leaves(node)
        np_ = self.np
        # `if x > t: t = x` is a running max (and `<` a running min)
        if node.orelse is None and len(leaves) == 1 and isinstance(node.test, cst.Comparison) \
                and len(node.test.comparisons) == 1:
            a = leaves[0]
            c = node.test.comparisons[0]
            if isinstance(a, cst.Assign) and isinstance(a.targets[0].target, (cst.Name, cst.Subscript)):
                t = a.targets[0].target
                name = self.code(t)
                lhs, rhs, opn = self.code(node.test.left), self.code(c.comparator), type(c.operator)
                new = self.code(a.value)
                fn = None
                if (lhs, rhs) == (new, name) and opn in (cst.GreaterThan, cst.LessThan):
                    fn = "max" if opn is cst.GreaterThan else "min"
                if (lhs, rhs) == (name, new) and opn in (cst.GreaterThan, cst.LessThan):
                    fn = "min" if opn is cst.GreaterThan else "max"
                if fn is not None and isinstance(t, cst.Name):
                    return self.extreme(name, fn, a.value, guard)
                if fn is not None and isinstance(t, cst.Subscript) and self.extreme_into(t, fn, a.value, guard):
                    return None
        chain = self.select_chain(node)
        if chain is not None and guard is None:
            target, branches, default = chain
            val: V
            if default is not None:
                val = self.expr(default)
            elif isinstance(target, cst.Subscript):
                val = self.access(target)
            else:
                old = self.env.get(target.value)
                if not isinstance(old, V):
                    raise Decline(f"`{target.value}` is assigned only on some branches")
                val = old
            for test, value in reversed(branches):
                tv, e = self.test(test), self.expr(value)
                val = V(f"{np_}.where({tv.code}, {e.code}, {val.code})", **union(tv, e, val, kind=select_kind(e, val)))
            if isinstance(target, cst.Subscript):
                return self.write(target, val, None, None)
            if target.value in self.pinned or target.value in self.results:
                raise Decline(f"`{target.value}` is reassigned after use as a whole-array value")
            self.env[target.value] = val
            return
        if len(leaves) > 1:
            mask = self.tree.fresh("_mask" if not self.masks else f"_mask{self.masks + 1}")
            self.masks += 1
            cond = self.test(node.test)
            self.emit(f"{mask} = {cond.code}", cond)
            cond = V(mask, **union(cond, kind="np"))
        else:
            cond = self.test(node.test)
        g = cond if guard is None else V(f"{np_}.logical_and({guard.code}, {cond.code})",
                                         **union(guard, cond, kind="np"))
        self.branch(suite_statements(node.body), g)
        if node.orelse is not None:
            nt = V(f"{np_}.logical_not({cond.code})", **union(cond, kind="np"))
            ng = nt if guard is None else V(f"{np_}.logical_and({guard.code}, {nt.code})",
                                            **union(guard, nt, kind="np"))
            if isinstance(node.orelse, cst.If):
                self.if_(node.orelse, ng)
            else:
                self.branch(suite_statements(node.orelse.body), ng)

    def branch(self, stmts: list[cst.BaseStatement], guard: V) -> None:
        """A branch's statements under its mask; temporaries it introduces are computed everywhere
        (used only where the mask keeps them) and forgotten after it, so no later read sees them."""
        before = set(self.env)
        self.body(stmts, guard)
        for t in set(self.env) - before:
            if isinstance(self.env[t], V) and t not in self.results:
                del self.env[t]

    def branch_leaves(self, node: cst.CSTNode) -> list[cst.BaseSmallStatement]:
        return [n for n in self.tree.walk(node) if isinstance(n, cst.BaseSmallStatement)]

    def select_chain(self, node: cst.If):
        """(target, [(test, value)], else value or None) for if/elif/else chains of one assignment each."""
        branches, target, cur = [], None, node
        while True:
            a = self.single(cur.body)
            if a is None:
                return None
            tcode = self.code(a.targets[0].target)
            if target is not None and self.code(target) != tcode:
                return None
            target = a.targets[0].target
            branches.append((cur.test, a.value))
            if cur.orelse is None:
                return target, branches, None
            if isinstance(cur.orelse, cst.If):
                cur = cur.orelse
                continue
            b = self.single(cur.orelse.body)
            if b is None or self.code(b.targets[0].target) != tcode:
                return None
            return target, branches, b.value

    def single(self, block: cst.BaseSuite) -> cst.Assign | None:
        body = block.body if isinstance(block, cst.IndentedBlock) else []
        if len(body) == 1 and isinstance(body[0], cst.SimpleStatementLine) and len(body[0].body) == 1:
            a = body[0].body[0]
            if isinstance(a, cst.Assign) and len(a.targets) == 1 and \
                    isinstance(a.targets[0].target, (cst.Name, cst.Subscript)):
                t = a.targets[0].target
                if isinstance(t, cst.Name) and (t.value in self.results or self.tree.name_nodes(a.value, t.value)):
                    return None  # an accumulation or append, not a selection
                return a
        return None

    def write(self, target: cst.Subscript, value: V, op: type[cst.BaseBinaryOp] | None, guard: V | None) -> None:
        stripped, own = self.row_parts(target)
        arr, loops, invs = self.index_parts(stripped)
        cur = self.access_parts(arr, loops, invs, own=own)
        if cur.axes != frozenset(range(len(self.axes))):
            raise Decline(f"`{self.code(target)}` is overwritten across iterations of a loop it does not index")
        if value.own != own and (value.axes or value.own > own):
            raise Decline(f"`{self.code(target)}` ({own} dimensions per iteration) is given a value with {value.own}")
        if own and guard is not None:
            raise Decline(f"the row `{self.code(target)}` is written under a condition")
        lhs = cur.code if "[" in cur.code else f"{arr}[:]"
        if op is not None and guard is None:
            return self.emit(f"{cur.code} {OPS[op]}= {value.code}", V("", **union(cur, value)), writes=cur.reads)
        if op is not None:
            p = PREC[op]
            value = V(f"{cur.wrap(p)} {OPS[op]} {value.wrap(p + 1)}", p, **union(cur, value, kind="np"))
        if guard is not None:
            value = V(f"{self.np}.where({guard.code}, {value.code}, {cur.code})", **union(guard, value, cur))
        self.emit(f"{lhs} = {value.code}", value, writes=cur.reads)

    def inner_loop(self, node: cst.For) -> None:
        """A sequential loop inside the nest body (e.g. time steps), run on whole arrays."""
        if not isinstance(node.target, cst.Name) or node.orelse is not None:
            raise Decline("inner loop with unpacking or else")
        it = node.iter
        if not (isinstance(it, cst.Call) and self.tree.resolve(it.func) == "range") or not self.invariant(it):
            raise Decline("inner loop whose range depends on the outer loop")
        stmts = plain_assignments(node)
        if stmts is None:
            raise Decline("inner sequential loop body is not plain assignments to names")
        u = node.target.value
        self.inner_scalars.add(u)
        try:
            self.kept_loop([f"for {u} in {self.code(it)}:"], list(stmts))
        finally:
            self.inner_scalars.discard(u)
