"""Whole-array translation of one loop nest, with the dependence analysis that makes it legal.

A nest of `for` loops over `range(start, stop)` (literal start, step 1), over an array (`for x in a`,
`enumerate(a)`) becomes a list of statements, one per body statement (loop distribution), where each
loop index turns into a slice along one axis. A statement is translated only when its element
semantics survive: known-pure calls only, fully indexed arrays of known ndim, writes that depend on
every loop index, no value carried between iterations except reductions and appends. Every array the
loop writes is checked against every access of the same array in iteration order (flow dependences
decline; anti dependences are fine only when the read happens no later than the write), and arrays
written through a name not freshly allocated before the loop must not share the loop with any other
array that could alias them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import libcst as cst

from optadvise.rewriters.base import Decline
from optadvise.rewriters.cst import Tree, dotted
from optadvise.rewriters.loopinfo import Facts, fresh_before, last_assignment_before

MATH = {"sqrt": "sqrt", "exp": "exp", "log": "log", "log10": "log10", "log2": "log2", "log1p": "log1p",
        "expm1": "expm1", "sin": "sin", "cos": "cos", "tan": "tan", "asin": "arcsin", "acos": "arccos",
        "atan": "arctan", "sinh": "sinh", "cosh": "cosh", "tanh": "tanh", "fabs": "fabs",
        "atan2": "arctan2", "hypot": "hypot", "copysign": "copysign", "fmod": "fmod"}
NP_ELEMENTWISE = {"sqrt", "exp", "log", "log10", "log2", "log1p", "expm1", "sin", "cos", "tan", "arcsin",
                  "arccos", "arctan", "arctan2", "sinh", "cosh", "tanh", "abs", "absolute", "fabs", "hypot",
                  "minimum", "maximum", "fmin", "fmax", "square", "sign", "floor", "ceil", "trunc", "rint",
                  "exp2", "power", "clip", "where", "isnan", "isfinite", "isinf", "copysign", "fmod",
                  "logical_and", "logical_or", "logical_not", "cbrt", "reciprocal", "deg2rad", "rad2deg"}
PURE_BUILTINS = {"len", "abs", "min", "max", "float", "int", "round", "range"}
WIDE = {"float64", "int64", "uint64", "complex128", "int32", "uint32"}  # math.* on these: exact in float64
SUM_OK = {"float64", "float32", "int64", "uint64", "complex128"}  # reductions that match element sums
PREC = {cst.Power: 90, cst.Multiply: 70, cst.Divide: 70, cst.FloorDivide: 70, cst.Modulo: 70,
        cst.Add: 60, cst.Subtract: 60, cst.BitAnd: 50, cst.BitXor: 45, cst.BitOr: 40}
OPS = {cst.Power: "**", cst.Multiply: "*", cst.Divide: "/", cst.FloorDivide: "//", cst.Modulo: "%",
       cst.Add: "+", cst.Subtract: "-", cst.BitAnd: "&", cst.BitXor: "^", cst.BitOr: "|"}
AUG = {cst.AddAssign: cst.Add, cst.SubtractAssign: cst.Subtract, cst.MultiplyAssign: cst.Multiply,
       cst.DivideAssign: cst.Divide, cst.PowerAssign: cst.Power, cst.FloorDivideAssign: cst.FloorDivide,
       cst.ModuloAssign: cst.Modulo}
CMP = {cst.LessThan: "<", cst.LessThanEqual: "<=", cst.GreaterThan: ">", cst.GreaterThanEqual: ">=",
       cst.Equal: "==", cst.NotEqual: "!="}


@dataclass(frozen=True)
class Access:
    array: str
    offsets: tuple[int | None, ...]  # per nest axis: index offset, None when the axis is not used
    subs: tuple[str, ...]  # the loop-invariant subscripts, "" where a loop index stands


@dataclass
class V:
    """A translated element expression: whole-array code and the nest axes it varies along."""

    code: str
    prec: int = 100
    axes: frozenset[int] = frozenset()
    kind: str = "?"  # element type in the loop: "np" numpy scalar, "py" Python float, "int" loop index
    reads: tuple[Access, ...] = ()
    dtypes: frozenset[str] = frozenset()  # dtypes of the arrays read ("" = unknown)
    exact: bool = True  # the axes are certain (not only possible)

    def wrap(self, prec: int) -> str:
        return f"({self.code})" if self.prec < prec else self.code


@dataclass
class Axis:
    var: str | None
    start: int
    stop: str
    full: tuple[str, int] | None = None  # stop equals len(array) along this dim


@dataclass
class Elem:
    """A loop variable bound to `array[k, ...]` by iterating over the array itself."""

    array: str
    prefix: tuple[int, ...]


@dataclass
class Row:
    """A temporary holding `np.array([e1, ...])` / `np.array([[e1, ...]])`: one row per iteration."""

    elems: list[V]
    two_d: bool


def select_kind(a: V, b: V) -> str:
    return a.kind if a.kind == b.kind else "?"


def merge_kind(*vs: V) -> str:
    """Scalar type of an arithmetic result in the loop: NumPy scalars win, unknown stays unknown,
    Python float with int is float."""
    kinds = {v.kind for v in vs}
    if "np" in kinds:
        return "np"
    if "?" in kinds:
        return "?"
    return "py" if "py" in kinds else "int"


def union(*vs: V, **kw: object) -> dict:
    return dict(axes=frozenset().union(*(v.axes for v in vs)), reads=sum((v.reads for v in vs), ()),
                dtypes=frozenset().union(*(v.dtypes for v in vs)), exact=all(v.exact for v in vs), **kw)


def fold(code: str, k: int) -> str:
    """`code + k` with the constant folded into a trailing literal where there is one."""
    if k == 0:
        return code
    try:
        return str(int(code) + k)
    except ValueError:
        pass
    e = cst.parse_expression(code)
    if isinstance(e, cst.BinaryOperation) and isinstance(e.right, cst.Integer) and not e.lpar \
            and isinstance(e.operator, (cst.Add, cst.Subtract)):
        c = int(e.right.value) * (1 if isinstance(e.operator, cst.Add) else -1) + k
        head = cst.Module([]).code_for_node(e.left)
        return head if c == 0 else f"{head} + {c}" if c > 0 else f"{head} - {-c}"
    return f"{code} + {k}" if k > 0 else f"{code} - {-k}"


@dataclass
class Nest:
    """Translate the body of a loop nest; `out` collects the emitted statements' source lines."""

    tree: Tree
    np: str
    facts: Facts
    axes: list[Axis]
    env: dict[str, object]
    assigned: set[str]  # every name the body binds
    out: list[str] = field(default_factory=list)
    accesses: list[tuple[int, Access, bool]] = field(default_factory=list)  # (position, access, is_write)
    results: set[str] = field(default_factory=set)  # accumulators / appended-to names (live after)
    reductions: bool = False
    fresh_ok: set[str] = field(default_factory=set)
    loop_stmt: cst.BaseStatement | None = None
    indent: str = ""
    inner_scalars: set[str] = field(default_factory=set)
    written: set[str] = field(default_factory=set)
    assign_count: dict[str, int] = field(default_factory=dict)
    pinned: set[str] = field(default_factory=set)
    iterated: set[str] = field(default_factory=set)
    masks: int = 0

    # ------------------------------------------------------------------------------ expressions

    @property
    def pos(self) -> int:
        return len(self.out)

    def code(self, node: cst.CSTNode) -> str:
        return self.tree.code(node).strip()

    def axis_of(self, name: str) -> int | None:
        for k, ax in enumerate(self.axes):
            if ax.var == name:
                return k
        return None

    def invariant(self, node: cst.CSTNode) -> bool:
        for n in self.tree.walk(node):
            if isinstance(n, cst.Name):
                p = self.tree.parent.get(n)
                if isinstance(p, cst.Attribute) and p.attr is n or isinstance(p, cst.Arg) and p.keyword is n:
                    continue
                if (n.value in self.assigned or self.axis_of(n.value) is not None) \
                        and n.value not in self.inner_scalars:
                    return False
            if isinstance(n, cst.Call):
                self.check_pure(n)
            if isinstance(n, (cst.Lambda, cst.NamedExpr, cst.Yield, cst.Await, cst.ListComp, cst.GeneratorExp)):
                raise Decline("the loop body uses a construct that is not a plain expression")
        return True

    def check_pure(self, call: cst.Call) -> None:
        fn = self.tree.resolve(call.func) or ""
        if fn.startswith("math.") or fn in PURE_BUILTINS or (fn.startswith("numpy.") and fn[6:] in NP_ELEMENTWISE):
            return
        raise Decline(f"the loop calls `{self.code(call.func)}`, which may have side effects per iteration")

    def inv(self, node: cst.BaseExpression) -> V:
        """A loop-invariant expression, kept as written (evaluated with Python semantics)."""
        for n in self.tree.walk(node):
            if isinstance(n, cst.Name) and self.facts.maybe_array(n.value) and not self.subscripted(n):
                raise Decline(f"`{n.value}` is an array used as a scalar in the loop")
            if isinstance(n, cst.Name) and n.value in self.written and not self.shape_only(n):
                raise Decline(f"`{n.value}` is written in the loop and read at a fixed index")
        atomic = isinstance(node, (cst.Name, cst.Integer, cst.Float, cst.Attribute, cst.Subscript, cst.Call))
        kind = "int" if isinstance(node, cst.Integer) else "py" if isinstance(node, cst.Float) else "?"
        return V(self.code(node), 100 if atomic or node.lpar else 0, kind=kind)

    def subscripted(self, n: cst.Name) -> bool:
        p = self.tree.parent.get(n)
        return isinstance(p, cst.Subscript) and p.value is n or isinstance(p, cst.Attribute)

    def shape_only(self, n: cst.Name) -> bool:
        p = self.tree.parent.get(n)
        if isinstance(p, cst.Attribute) and p.value is n and p.attr.value in ("shape", "size", "ndim"):
            return True
        return isinstance(p, cst.Arg) and (self.tree.resolve(self.tree.parent[p].func) == "len")

    def expr(self, node: cst.BaseExpression) -> V:
        if self.invariant_expr(node):
            return self.inv(node)
        if isinstance(node, cst.Name):
            return self.name(node.value)
        if isinstance(node, cst.Subscript):
            return self.access(node)
        if isinstance(node, cst.BinaryOperation):
            return self.binop(node)
        if isinstance(node, cst.UnaryOperation):
            v = self.expr(node.expression)
            if isinstance(node.operator, cst.Minus):
                return replace(v, code=f"-{v.wrap(80)}", prec=80)
            if isinstance(node.operator, cst.Plus):
                return replace(v, code=f"+{v.wrap(80)}", prec=80)
            raise Decline("`not`/`~` on a varying value outside a condition")
        if isinstance(node, cst.Comparison):
            return self.compare(node)
        if isinstance(node, cst.IfExp):
            t, b, o = self.test(node.test), self.expr(node.body), self.expr(node.orelse)
            return V(f"{self.np}.where({t.code}, {b.code}, {o.code})", **union(t, b, o, kind=select_kind(b, o)))
        if isinstance(node, cst.Call):
            return self.call(node)
        raise Decline(f"cannot vectorize the expression `{self.code(node)}`")

    def invariant_expr(self, node: cst.BaseExpression) -> bool:
        return self.invariant(node)

    def name(self, name: str) -> V:
        k = self.axis_of(name)
        if k is not None and name not in self.env:
            ax = self.axes[k]
            rng = f"{self.np}.arange({ax.start}, {ax.stop})" if ax.start else f"{self.np}.arange({ax.stop})"
            return V(rng + self.newaxes(frozenset({k})), axes=frozenset({k}), kind="int")
        if name in self.results:
            raise Decline(f"the accumulator `{name}` is read inside the loop")
        val = self.env.get(name)
        if val is None:
            raise Decline(f"`{name}` is read before it is assigned in the loop (carried between iterations)")
        if isinstance(val, Elem):
            if self.facts.ndim(val.array) != len(val.prefix):
                raise Decline(f"`{name}` is a row of `{val.array}` used as a whole")
            return self.access_parts(val.array, [(k, 0) for k in val.prefix], [])
        if isinstance(val, Row):
            raise Decline(f"`{name}` holds a small array per iteration; only concatenation of it is supported")
        return val  # type: ignore[return-value]

    def newaxes(self, axes: frozenset[int]) -> str:
        if not axes or max(axes) == len(self.axes) - 1:
            return ""
        return "[" + ", ".join([":"] * 1 + ["None"] * (len(self.axes) - 1 - max(axes))) + "]"

    def binop(self, node: cst.BinaryOperation) -> V:
        op = type(node.operator)
        if op not in OPS:
            raise Decline(f"operator `{self.code(node.operator)}` is not vectorized")
        a, b = self.expr(node.left), self.expr(node.right)
        if op is cst.Power and a.kind == "py":
            raise Decline("a Python float raised to a power (complex for negative bases)")
        if op in (cst.BitAnd, cst.BitOr, cst.BitXor) and "np" not in (a.kind, b.kind):
            raise Decline("bitwise operator on Python values")
        p = PREC[op]
        left = a.wrap(p + 1 if op is cst.Power else p)
        right = b.wrap(80 if op is cst.Power else p + 1)
        kind = merge_kind(a, b)
        if kind == "int" and op is cst.Divide:
            kind = "py"  # int / int is a Python float
        elif kind == "int" and op is cst.Power:
            kind = "?"
        return V(f"{left} {OPS[op]} {right}", p, **union(a, b, kind=kind))

    def compare(self, node: cst.Comparison) -> V:
        parts, left, vs = [], self.expr(node.left), []
        vs.append(left)
        for ct in node.comparisons:
            if type(ct.operator) not in CMP:
                raise Decline(f"comparison `{self.code(ct.operator)}` is not vectorized")
            right = self.expr(ct.comparator)
            vs.append(right)
            parts.append(f"{left.wrap(31)} {CMP[type(ct.operator)]} {right.wrap(31)}")
            left = right
        if len(parts) == 1:
            return V(parts[0], 30, **union(*vs, kind="np"))
        return V(" & ".join(f"({p})" for p in parts), 50, **union(*vs, kind="np"))

    def test(self, node: cst.BaseExpression) -> V:
        """A condition, as a boolean mask (Python truthiness: nonzero, NaN true)."""
        if isinstance(node, cst.BooleanOperation):
            a, b = self.test(node.left), self.test(node.right)
            fn = "logical_and" if isinstance(node.operator, cst.And) else "logical_or"
            return V(f"{self.np}.{fn}({a.code}, {b.code})", **union(a, b, kind="np"))
        if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not):
            a = self.test(node.expression)
            return V(f"{self.np}.logical_not({a.code})", **union(a, kind="np"))
        v = self.expr(node)
        if isinstance(node, cst.Comparison) or not v.axes:
            return v
        return V(f"{v.wrap(31)} != 0", 30, **union(v, kind="np"))

    def call(self, node: cst.Call) -> V:
        fn = self.tree.resolve(node.func) or ""
        if any(a.keyword is not None or a.star for a in node.args):
            raise Decline(f"call `{self.code(node.func)}` with keyword or starred arguments")
        args = [self.expr(a.value) for a in node.args]
        if fn.startswith("math.") and fn[5:] in MATH:
            extra = "" if all(d in WIDE for v in args for d in v.dtypes) else f", dtype={self.np}.float64"
            code = f"{self.np}.{MATH[fn[5:]]}({', '.join(a.code for a in args)}{extra})"
            return V(code, **union(*args, kind="py"))
        if fn.startswith("numpy.") and fn[6:] in NP_ELEMENTWISE:
            return V(f"{self.np}.{fn[6:]}({', '.join(a.code for a in args)})", **union(*args, kind="np"))
        if fn == "abs" and len(args) == 1:
            return V(f"{self.np}.abs({args[0].code})", **union(*args, kind=args[0].kind))
        if fn in ("min", "max") and len(args) == 2:
            x, y = args
            op = "<" if fn == "min" else ">"  # Python keeps x unless y is strictly better
            return V(f"{self.np}.where({y.wrap(31)} {op} {x.wrap(31)}, {y.code}, {x.code})",
                     **union(x, y, kind=select_kind(x, y)))
        raise Decline(f"call `{self.code(node.func)}` is not a known element-wise function")

    # ---------------------------------------------------------------------------------- indexing

    def flatten(self, node: cst.Subscript) -> tuple[str | Elem, list[cst.BaseExpression]]:
        idx: list[cst.BaseExpression] = []
        cur: cst.BaseExpression = node
        while isinstance(cur, cst.Subscript):
            part = []
            for el in cur.slice:
                if not isinstance(el.slice, cst.Index) or el.slice.star:
                    raise Decline(f"slice inside the loop: `{self.code(node)}`")
                part.append(el.slice.value)
            idx = part + idx
            cur = cur.value
        if not isinstance(cur, cst.Name):
            raise Decline(f"indexing a computed value: `{self.code(node)}`")
        base = self.env.get(cur.value)
        if isinstance(base, Elem):
            return base, idx
        if cur.value in self.assigned:
            raise Decline(f"`{cur.value}` is rebound inside the loop and indexed")
        return cur.value, idx

    def index_parts(self, node: cst.Subscript) -> tuple[str, list[tuple[int, int]], list[tuple[int, str]]]:
        """(array, [(axis, offset) per subscript position], [(position, invariant code)])."""
        base, idx = self.flatten(node)
        lead: list[tuple[int, int]] = []
        arr = base
        if isinstance(base, Elem):
            lead = [(k, 0) for k in base.prefix]
            arr = base.array
        loops, invs = list(lead), []
        for pos, e in enumerate(idx, start=len(lead)):
            ao = self.affine(e)
            if ao is None:
                if not self.invariant(e):
                    raise Decline(f"indirect or non-affine index `{self.code(e)}`")
                invs.append((pos, self.code(e)))
            else:
                loops.append(ao)
        return arr, loops, invs  # type: ignore[return-value]

    def affine(self, e: cst.BaseExpression) -> tuple[int, int] | None:
        """(axis, offset) for `i`, `i + c`, `i - c`, `c + i` with `i` a loop index and c an int literal."""
        if isinstance(e, cst.Name) and self.axis_of(e.value) is not None:
            return self.axis_of(e.value), 0  # type: ignore[return-value]
        if isinstance(e, cst.BinaryOperation) and isinstance(e.operator, (cst.Add, cst.Subtract)):
            sign = 1 if isinstance(e.operator, cst.Add) else -1
            if isinstance(e.left, cst.Name) and self.axis_of(e.left.value) is not None:
                if isinstance(e.right, cst.Integer):
                    return self.axis_of(e.left.value), sign * int(e.right.value)  # type: ignore[return-value]
                raise Decline(f"index offset `{self.code(e.right)}` is not an integer literal")
            if sign == 1 and isinstance(e.right, cst.Name) and self.axis_of(e.right.value) is not None:
                if isinstance(e.left, cst.Integer):
                    return self.axis_of(e.right.value), int(e.left.value)  # type: ignore[return-value]
                raise Decline(f"index offset `{self.code(e.left)}` is not an integer literal")
        return None

    def access(self, node: cst.Subscript) -> V:
        arr, loops, invs = self.index_parts(node)
        return self.access_parts(arr, loops, invs)

    def access_parts(self, arr: str, loops: list[tuple[int, int]], invs: list[tuple[int, str]]) -> V:
        nd = self.facts.ndim(arr)
        n_idx = len(loops) + len(invs)
        if nd is None:
            raise Decline(f"the type/ndim of `{arr}` is unknown (no profile or allocation in sight)")
        if nd != n_idx:
            raise Decline(f"`{arr}` ({nd}-D) is indexed with {n_idx} subscripts inside the loop")
        ks = [k for k, _ in loops]
        if ks != sorted(ks) or len(set(ks)) != len(ks):
            raise Decline(f"`{arr}` is indexed with loop indices out of nest order (a transpose)")
        items: list[str] = []
        offsets: list[int | None] = [None] * len(self.axes)
        subs = [""] * n_idx
        loop_iter = iter(loops)
        inv_map = dict(invs)
        prev = None
        for pos in range(n_idx):
            if pos in inv_map:
                items.append(inv_map[pos])
                subs[pos] = inv_map[pos]
                continue
            k, off = next(loop_iter)
            if prev is not None:
                items.extend(["None"] * (k - prev - 1))
            prev = k
            offsets[k] = off
            ax = self.axes[k]
            start = ax.start + off
            if start < 0:
                raise Decline(f"`{arr}` is read at a negative index (wraps around) in the first iterations")
            if start == 0 and off == 0 and ax.full == (arr, pos):
                items.append(":")
            else:
                items.append(f"{start if start else ''}:{fold(ax.stop, off)}")
        if prev is not None:
            items.extend(["None"] * (len(self.axes) - 1 - prev))
        acc = Access(arr, tuple(offsets), tuple(subs))
        code = arr if all(i == ":" for i in items) else f"{arr}[{', '.join(items)}]"
        axes = frozenset(k for k, _ in loops)
        if not axes:
            code = f"{arr}[{', '.join(items)}]"
        return V(code, axes=axes, kind="np", reads=(acc,), dtypes=frozenset({self.facts.dtype(arr)}))

    # ------------------------------------------------------------------------------- statements

    def emit(self, line: str, v: V | None = None, writes: tuple[Access, ...] = ()) -> None:
        pos = self.pos
        for a in (v.reads if v else ()):
            self.accesses.append((pos, a, False))
        for a in writes:
            self.accesses.append((pos, a, True))
        self.out.append(line)

    def body(self, stmts: list[cst.BaseStatement], guard: V | None = None) -> None:
        for s in stmts:
            if isinstance(s, cst.SimpleStatementLine):
                for small in s.body:
                    self.small(small, guard)
            elif isinstance(s, cst.If):
                self.if_(s, guard)
            elif isinstance(s, cst.For) and guard is None:
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
            if isinstance(target, cst.Subscript):
                return self.write(target, self.expr(node.value), None, guard)
            if not isinstance(target, cst.Name):
                raise Decline("tuple unpacking in the loop")
            return self.assign(target.value, node.value, guard)
        if isinstance(node, cst.AugAssign):
            op = AUG.get(type(node.operator))
            if op is None:
                raise Decline("augmented operator not vectorized")
            if isinstance(node.target, cst.Subscript):
                return self.write(node.target, self.expr(node.value), op, guard)
            if isinstance(node.target, cst.Name) and op in (cst.Add, cst.Subtract, cst.Multiply):
                return self.reduce(node.target.value, OPS[op], node.value, guard)
            raise Decline("augmented assignment not vectorized")
        if isinstance(node, cst.Expr) and isinstance(node.value, cst.Call):
            f = node.value.func
            if isinstance(f, cst.Attribute) and f.attr.value == "append" and isinstance(f.value, cst.Name) \
                    and len(node.value.args) == 1:
                return self.list_append(f.value.value, node.value.args[0].value, guard)
        raise Decline(f"statement `{self.code(node)}` is not vectorized")

    def assign(self, t: str, value: cst.BaseExpression, guard: V | None) -> None:
        if t in self.pinned or t in self.results:
            raise Decline(f"`{t}` is reassigned after it was used as a whole-array value")
        np_ = self.np
        fn = self.tree.resolve(value.func) if isinstance(value, cst.Call) else None
        args = value.args if isinstance(value, cst.Call) else ()
        first = args[0].value if args else None
        if isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.Add) and \
                any(isinstance(x, cst.Name) and x.value == t for x in (value.left, value.right)):
            other = value.right if isinstance(value.left, cst.Name) and value.left.value == t else value.left
            return self.reduce(t, "+", other, guard)
        if fn in ("max", "min") and len(args) == 2 and isinstance(first, cst.Name) and first.value == t:
            return self.extreme(t, fn, args[1].value, guard)
        if fn in ("numpy.append", "numpy.concatenate", "numpy.vstack") and isinstance(first, (cst.Name, cst.List, cst.Tuple)):
            return self.grow(t, fn, value, guard)  # type: ignore[arg-type]
        if fn == "numpy.array" and guard is None and self.row(value) is not None:
            self.env[t] = self.row(value)
            return
        v = self.expr(value)
        if guard is not None:
            old = self.env.get(t)
            if not isinstance(old, V):
                raise Decline(f"`{t}` is assigned only on some branches")
            v = V(f"{np_}.where({guard.code}, {v.code}, {old.code})", **union(guard, v, old, kind=select_kind(v, old)))
        if guard is None and v.axes and self.assign_count.get(t, 0) == 1:
            self.emit(f"{t} = {v.code}", v)
            v = replace(v, code=t, prec=100)
            self.pinned.add(t)
        self.env[t] = v

    def row(self, call: cst.Call) -> Row | None:
        if len(call.args) != 1 or call.args[0].keyword is not None:
            return None
        lst = call.args[0].value
        two = isinstance(lst, cst.List) and len(lst.elements) == 1 and isinstance(lst.elements[0].value, cst.List)
        if two:
            lst = lst.elements[0].value  # type: ignore[union-attr]
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
        r = self.env.get(x.value) if isinstance(x, cst.Name) else \
            self.row(x) if isinstance(x, cst.Call) and self.tree.resolve(x.func) == "numpy.array" else None
        if not isinstance(r, Row):
            raise Decline("concatenation of something other than a row built with np.array([...])")
        v = self.rows_code(r, guard)
        if fn == "numpy.concatenate" and not r.two_d:
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
        if t in self.env or t in self.assigned_before_use(t):
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
                self.sum_types(union(x, y)["dtypes"])  # type: ignore[arg-type]
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

    def sum_types(self, dtypes: frozenset[str]) -> None:
        bad = [d or "unknown" for d in dtypes if d not in SUM_OK]
        if bad:
            raise Decline(f"sum over {bad[0]} elements (Python accumulation overflows/rounds differently)")

    def assigned_before_use(self, t: str) -> set[str]:
        return set()

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
            if isinstance(a, cst.Assign) and isinstance(a.targets[0].target, cst.Name):
                t = a.targets[0].target.value
                lhs, rhs, opn = self.code(node.test.left), self.code(c.comparator), type(c.operator)
                val = self.code(a.value)
                if (lhs, rhs) == (val, t) and opn in (cst.GreaterThan, cst.LessThan):
                    return self.extreme(t, "max" if opn is cst.GreaterThan else "min", a.value, guard)
                if (lhs, rhs) == (t, val) and opn in (cst.GreaterThan, cst.LessThan):
                    return self.extreme(t, "min" if opn is cst.GreaterThan else "max", a.value, guard)
        chain = self.select_chain(node)
        if chain is not None and guard is None:
            target, branches, default = chain
            if isinstance(target, cst.Subscript):
                cur = self.access(target)
                acc = cur
                val = self.expr(default) if default is not None else cur
            else:
                old = self.env.get(target.value)
                if default is None and not isinstance(old, V):
                    raise Decline(f"`{target.value}` is assigned only on some branches")
                val = self.expr(default) if default is not None else old  # type: ignore[assignment]
            for test, value in reversed(branches):
                t, e = self.test(test), self.expr(value)
                val = V(f"{np_}.where({t.code}, {e.code}, {val.code})", **union(t, e, val, kind=select_kind(e, val)))
            if isinstance(target, cst.Subscript):
                return self.write(target, val, None, None)
            if target.value in self.pinned or target.value in self.results:
                raise Decline(f"`{target.value}` is reassigned after use as a whole-array value")
            self.env[target.value] = val
            return
        if len(leaves) > 1:
            mask = self.tree.fresh("_mask" if not self.masks else f"_mask{self.masks + 1}")
            self.masks += 1
            t = self.test(node.test)
            self.emit(f"{mask} = {t.code}", t)
            t = V(mask, **union(t, kind="np"))
        else:
            t = self.test(node.test)
        g = t if guard is None else V(f"{np_}.logical_and({guard.code}, {t.code})", **union(guard, t, kind="np"))
        self.body(list(node.body.body), g)
        if node.orelse is not None:
            nt = V(f"{np_}.logical_not({t.code})", **union(t, kind="np"))
            ng = nt if guard is None else V(f"{np_}.logical_and({guard.code}, {nt.code})", **union(guard, nt, kind="np"))
            if isinstance(node.orelse, cst.If):
                self.if_(node.orelse, ng)
            else:
                self.body(list(node.orelse.body.body), ng)

    def branch_leaves(self, node: cst.CSTNode) -> list[cst.BaseSmallStatement]:
        return [n for n in self.tree.walk(node) if isinstance(n, cst.BaseSmallStatement)]

    def select_chain(self, node: cst.If):  # type: ignore[no-untyped-def]
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

    def write(self, target: cst.Subscript, value: V, op: type | None, guard: V | None) -> None:
        arr, loops, invs = self.index_parts(target)
        cur = self.access_parts(arr, loops, invs)
        if cur.axes != frozenset(range(len(self.axes))):
            raise Decline(f"`{self.code(target)}` is overwritten across iterations of a loop it does not index")
        if op is not None:
            p = PREC[op]
            value = V(f"{cur.wrap(p)} {OPS[op]} {value.wrap(p + 1)}", p, **union(cur, value, kind="np"))
        if guard is not None:
            value = V(f"{self.np}.where({guard.code}, {value.code}, {cur.code})", **union(guard, value, cur))
        lhs = cur.code if "[" in cur.code else f"{arr}[{', '.join([':'] * (self.facts.ndim(arr) or 1))}]"
        self.emit(f"{lhs} = {value.code}", value, writes=cur.reads)

    def inner_loop(self, node: cst.For) -> None:
        """A sequential loop inside the nest body (e.g. time steps), run on whole arrays."""
        if not isinstance(node.target, cst.Name) or node.orelse is not None:
            raise Decline("inner loop with unpacking or else")
        it = node.iter
        if not (isinstance(it, cst.Call) and self.tree.resolve(it.func) == "range") or not self.invariant(it):
            raise Decline("inner loop whose range depends on the outer loop")
        stmts = []
        for s in node.body.body:
            if not (isinstance(s, cst.SimpleStatementLine) and all(
                    isinstance(a, cst.Assign) and len(a.targets) == 1 and isinstance(a.targets[0].target, cst.Name)
                    for a in s.body)):
                raise Decline("inner sequential loop body is not plain assignments to names")
            stmts.extend(s.body)
        carried = [a.targets[0].target.value for a in stmts]  # type: ignore[union-attr]
        u = node.target.value
        self.inner_scalars.add(u)
        inits = {}
        for c in dict.fromkeys(carried):
            old = self.env.get(c)
            if not isinstance(old, V) or c in self.results:
                raise Decline(f"`{c}` is not defined before the inner loop")
            inits[c] = old
        for c, v in inits.items():
            if v.code != c:
                self.emit(f"{c} = {v.code}", v)
        axes = {c: v.axes for c, v in inits.items()}
        for _ in range(len(self.axes) + 2):
            for c, v in inits.items():
                self.env[c] = replace(v, code=c, prec=100, axes=axes[c])
            lines, vals = [], []
            for a in stmts:
                c = a.targets[0].target.value  # type: ignore[union-attr]
                v = self.expr(a.value)
                vals.append(v)
                lines.append(f"{c} = {v.code}")
                self.env[c] = replace(v, code=c, prec=100, axes=axes[c] | v.axes)
                new = axes[c] | v.axes
                if new != axes[c]:
                    axes[c] = new
                    break
            else:
                break
        else:
            raise Decline("inner loop values do not settle")
        header = f"for {u} in {self.code(it)}:"
        self.emit("\n".join([header] + [f"    {ln}" for ln in lines]), V("", **union(*vals, *inits.values())))
        for c in inits:
            self.env[c] = V(c, axes=axes[c], kind=merge_kind(inits[c], *vals), exact=axes[c] == inits[c].axes,
                            reads=sum((v.reads for v in vals), inits[c].reads),
                            dtypes=frozenset().union(*(v.dtypes for v in vals)))
            self.pinned.add(c)
        self.inner_scalars.discard(u)

    # ------------------------------------------------------------------------------ dependences

    def check_dependences(self) -> None:
        by_arr: dict[str, list[tuple[int, Access, bool]]] = {}
        for pos, acc, w in self.accesses:
            by_arr.setdefault(acc.array, []).append((pos, acc, w))
        arrays = set(by_arr)
        for arr, accs in by_arr.items():
            writes = [(p, a) for p, a, w in accs if w]
            if not writes:
                continue
            if arr in self.iterated:
                raise Decline(f"the loop iterates over `{arr}` while writing it")
            if len({(a.offsets, a.subs) for _, a in writes}) > 1:
                raise Decline(f"`{arr}` is written at several different places per iteration")
            wacc = writes[0][1]
            first_write = min(p for p, _ in writes)
            for p, a, w in accs:
                if w or a == wacc:
                    continue
                if a.subs != wacc.subs:
                    if any(x != y and x and y and x.lstrip("-").isdigit() and y.lstrip("-").isdigit()
                           for x, y in zip(a.subs, wacc.subs)):
                        continue  # a different constant column: never the element written
                    raise Decline(f"`{arr}` is read and written at different fixed indices")
                if any((x is None) != (y is None) for x, y in zip(a.offsets, wacc.offsets)):
                    raise Decline(f"`{arr}` is read with a different index pattern than it is written")
                delta = [x - y for x, y in zip(a.offsets, wacc.offsets) if x is not None]  # type: ignore[operator]
                sign = next((d for d in delta if d), 0)
                if sign < 0:
                    raise Decline(f"iteration reads `{arr}` written by an earlier iteration (a recurrence)")
                if sign > 0 and p > first_write:
                    raise Decline(f"`{arr}` is read ahead after being written in the same iteration")
            if arr not in self.fresh_ok:
                others = sorted(x for x in arrays if x != arr and x not in self.fresh_ok)
                if others:
                    raise Decline(f"`{arr}` is written but not allocated just before the loop; "
                                  f"it may share memory with `{others[0]}`")
