"""Translation of loop-body expressions to whole-array NumPy (`V` values).

Names, subscripts, arithmetic, comparisons, conditions (as masks), conditional expressions and
known element-wise calls (math.* -> NumPy ufuncs, abs/min/max) are translated; anything else declines.
"""

from __future__ import annotations

from dataclasses import replace

import libcst as cst

from optadvise.rewriters.base import Decline
from optadvise.rewriters.loops.attributes import dotted_key, references
from optadvise.rewriters.loops.bounds import Mag, add_mag, const_mag, fits_int64, index_mag, mul_mag
from optadvise.rewriters.loops.dependence import Access
from optadvise.rewriters.loops.indexing import NP_ELEMENTWISE
from optadvise.rewriters.loops.rows import Rows
from optadvise.rewriters.loops.values import OPS, PREC, Elem, Row, V, integral, merge_kind, select_kind, union

MATH = {"sqrt": "sqrt", "exp": "exp", "log": "log", "log10": "log10", "log2": "log2", "log1p": "log1p",
        "expm1": "expm1", "sin": "sin", "cos": "cos", "tan": "tan", "asin": "arcsin", "acos": "arccos",
        "atan": "arctan", "sinh": "sinh", "cosh": "cosh", "tanh": "tanh", "fabs": "fabs",
        "atan2": "arctan2", "hypot": "hypot", "copysign": "copysign", "fmod": "fmod"}
WIDE = {"float64", "int64", "uint64", "complex128", "int32", "uint32"}  # math.* on these: exact in float64
CMP = {cst.LessThan: "<", cst.LessThanEqual: "<=", cst.GreaterThan: ">", cst.GreaterThanEqual: ">=",
       cst.Equal: "==", cst.NotEqual: "!="}


def zero_start(a: V, b: V) -> bool:
    """`a + b` is `b`: `a` the literal 0.0 an accumulation starts from, `b` float64 elements (equal values;
    only a zero's sign may differ)."""
    return a.code == "0.0" and a.kind == "py" and b.kind == "np" and bool(b.axes) and b.dtypes == {"float64"}


class Expressions(Rows):
    """The expression layer of a loop-nest translation."""

    index_ints: bool = False  # translating a subscript: int() of a float may truncate in NumPy

    def inv(self, node: cst.BaseExpression) -> V:
        """A loop-invariant expression, kept as written (evaluated with Python semantics)."""
        for key, n in references(self.tree, node):
            if self.facts.maybe_array(key) and not self.subscripted(n):
                raise Decline(f"`{key}` is an array used as a scalar in the loop")
            if key in self.written and not self.shape_only(n):
                raise Decline(f"`{key}` is written in the loop and read at a fixed index")
        atomic = isinstance(node, (cst.Name, cst.Integer, cst.Float, cst.Attribute, cst.Subscript, cst.Call))
        kind = "int" if isinstance(node, cst.Integer) else "py" if isinstance(node, cst.Float) else "?"
        mag = const_mag(int(node.value, 0), len(self.axes)) if isinstance(node, cst.Integer) else None
        return V(self.code(node), 100 if atomic or node.lpar else 0, kind=kind, mag=mag)

    def reads_written(self, node: cst.BaseExpression) -> bool:
        """`node` reads an element of an array the loop writes (an access the dependence proof must see)."""
        return any(key in self.written and self.subscripted(n) and not self.shape_only(n)
                   for key, n in references(self.tree, node))

    def subscripted(self, n: cst.Name | cst.Attribute) -> bool:
        p = self.tree.parent.get(n)
        return isinstance(p, cst.Subscript) and p.value is n or isinstance(p, cst.Attribute)

    def shape_only(self, n: cst.Name | cst.Attribute) -> bool:
        p = self.tree.parent.get(n)
        if isinstance(p, cst.Attribute) and p.value is n and p.attr.value in ("shape", "size", "ndim"):
            return True
        call = self.tree.parent.get(p) if isinstance(p, cst.Arg) else None
        return isinstance(call, cst.Call) and self.tree.resolve(call.func) == "len"

    def expr(self, node: cst.BaseExpression) -> V:
        """`node` as a whole-array value of one element per iteration (declines a row)."""
        allowed, self.rows_allowed = self.rows_allowed, False
        try:
            v = self.translate(node, allowed)
        finally:
            self.rows_allowed = allowed
        if v.own and not allowed:
            raise Decline(f"`{self.code(node)}` is a whole row where one element is expected")
        return v

    def row_expr(self, node: cst.BaseExpression) -> V:
        """`node` as a whole-array value that may have own dimensions (a row per iteration)."""
        allowed, self.rows_allowed = self.rows_allowed, True
        try:
            return self.expr(node)
        finally:
            self.rows_allowed = allowed

    def translate(self, node: cst.BaseExpression, rows: bool) -> V:
        if self.invariant(node) and not self.reads_written(node) and not (rows and self.holds_rows(node)):
            return self.inv(node)
        if isinstance(node, cst.Name):
            whole = self.whole_array(node.value) if rows else None
            return whole if whole is not None else self.name(node.value)
        key = dotted_key(node) if rows and isinstance(node, cst.Attribute) else None
        whole = self.whole_array(key) if key else None
        if whole is not None:  # `self.x` beside rows
            return whole
        if isinstance(node, cst.Subscript):
            row = self.row_read(node)
            if row is not None:
                return row
            try:
                return self.access(node)
            except Decline as why:
                return self.gather(node, why)
        if isinstance(node, cst.BinaryOperation):
            return self.binop(node)
        if isinstance(node, cst.UnaryOperation):
            v = self.row_expr(node.expression)
            if isinstance(node.operator, cst.Minus):
                return replace(v, code=f"-{v.wrap(80)}", prec=80)
            if isinstance(node.operator, cst.Plus):
                return replace(v, code=f"+{v.wrap(80)}", prec=80)
            raise Decline("`not`/`~` on a varying value outside a condition")
        if isinstance(node, cst.Comparison):
            return self.compare(node)
        if isinstance(node, cst.IfExp):
            t, b, o = self.aligned(self.test(node.test), self.row_expr(node.body), self.row_expr(node.orelse))
            return V(f"{self.np}.where({t.code}, {b.code}, {o.code})", **union(t, b, o, kind=select_kind(b, o)))
        if isinstance(node, cst.Call):
            return self.call(node)
        raise Decline(f"cannot vectorize the expression `{self.code(node)}`")


    def index_value(self, node: cst.BaseExpression) -> V:
        """A subscript's value, with `int()` of floats allowed (it is only used to index)."""
        old, self.index_ints = self.index_ints, True
        try:
            return self.expr(node)
        finally:
            self.index_ints = old

    def gather(self, node: cst.Subscript, why: Decline) -> V:
        """`a[i + di, j]`, `a[idx[i]]`: subscripts computed from loop indices or read from integer arrays,
        as fancy indexing with index grids (Python's and NumPy's indexing agree: negatives wrap, out of
        range raises), for an array the nest does not write; else `why`."""
        try:
            base, idx = self.flatten(node)
        except Decline:
            raise why from None
        if not isinstance(base, str) or base in self.written or self.facts.ndim(base) != len(idx):
            raise why
        parts = [self.index_value(e) for e in idx]
        for p in parts:
            if p.axes and not (p.exact and integral(p)):
                raise why
        if not any(p.axes for p in parts):
            raise why
        acc = Access(base, (None,) * len(self.axes), ("?",) * len(idx))
        return V(f"{base}[{', '.join(p.code for p in parts)}]", **{
            **union(*parts), "kind": "np", "reads": (acc,) + sum((p.reads for p in parts), ()),
            "dtypes": frozenset({self.facts.dtype(base)})})

    def name(self, name: str) -> V:
        k = self.axis_of(name)
        if k is not None and name not in self.env:
            ax = self.axes[k]
            first = ax.first()
            rng = f"{self.np}.arange({first}, {ax.stop})" if first != "0" else f"{self.np}.arange({ax.stop})"
            return V(self.grid(name, rng + self.newaxes(frozenset({k}))), axes=frozenset({k}), kind="int",
                     mag=index_mag(k, len(self.axes)))
        if name in self.results:
            raise Decline(f"the accumulator `{name}` is read inside the loop")
        val = self.env.get(name)
        if val is None:
            raise Decline(f"`{name}` is read before it is assigned in the loop (carried between iterations)")
        if isinstance(val, Elem):
            nd = self.facts.ndim(val.array)
            if nd is None or nd < len(val.prefix) or nd > len(val.prefix) and val.array in self.facts.py_elements:
                raise Decline(f"`{name}` is a row of `{val.array}` used as a whole")
            return self.access_parts(val.array, [(k, 0) for k in val.prefix], [], own=nd - len(val.prefix))
        if isinstance(val, Row):
            raise Decline(f"`{name}` holds a small array per iteration; only concatenation of it is supported")
        return val  # type: ignore[return-value]

    def grid(self, name: str, code: str) -> str:
        """The loop index `name` as an index grid bound to its own name (`i = np.arange(n)[:, None]`,
        emitted once; the loop's variable is not read after it), or `code` inline when `name` already
        holds a grid of another shape."""
        if name not in self.grids:
            self.grids[name] = code
            self.emit(f"{name} = {code}")
        return name if self.grids[name] == code else code

    def newaxes(self, axes: frozenset[int]) -> str:
        if not axes or max(axes) == len(self.axes) - 1:
            return ""
        return "[" + ", ".join([":"] * 1 + ["None"] * (len(self.axes) - 1 - max(axes))) + "]"

    def binop(self, node: cst.BinaryOperation) -> V:
        op = type(node.operator)
        if op not in OPS:
            raise Decline(f"operator `{self.code(node.operator)}` is not vectorized")
        a, b = self.row_expr(node.left), self.row_expr(node.right)
        literal_power = isinstance(node.right, cst.Integer) and not b.axes  # x ** 2: never complex
        return self.combine(op, a, b, literal_power=literal_power)

    def combine(self, op: type[cst.BaseBinaryOp], a: V, b: V, literal_power: bool = False) -> V:
        """`a op b` on translated values, with Python's scalar semantics kept (or declined)."""
        a, b = self.aligned(a, b)
        if op is cst.Add and zero_start(a, b):
            return b
        if op is cst.Power and a.kind == "py" and not literal_power:
            raise Decline("a Python float raised to a power (complex for negative bases)")
        if op in (cst.BitAnd, cst.BitOr, cst.BitXor) and "np" not in (a.kind, b.kind):
            raise Decline("bitwise operator on Python values")
        p = PREC[op]
        left = a.wrap(p + 1 if op is cst.Power else p)
        right = b.wrap(80 if op is cst.Power else p + 1)
        if op in (cst.Multiply, cst.Power) and any(
                x.kind == "int" and x.axes and y.kind == "?" for x, y in ((a, b), (b, a))):
            raise Decline("a loop index multiplied by a value of unknown type (int64 overflow not ruled out)")
        kind = merge_kind(a, b)
        mag = self.int_mag(op, a, b) if kind == "int" else None
        if kind == "int" and op is cst.Divide:
            kind = "py"  # int / int is a Python float
        elif kind == "int" and op is cst.Power:
            kind = "?"
        if op is cst.Add and right.startswith("-") and right[1:].isdigit():
            return V(f"{left} - {right[1:]}", p, **union(a, b, kind=kind, mag=mag))  # i + -1 reads i - 1
        return V(f"{left} {OPS[op]} {right}", p, **union(a, b, kind=kind, mag=mag))

    def int_mag(self, op: type, a: V, b: V) -> Mag | None:
        """The magnitude bound of `a op b` on Python ints; declines where int64 could overflow (Python's
        ints do not) or a loop index is multiplied by a value of unknown type and size."""
        if op in (cst.Add, cst.Subtract):
            mag = add_mag(a.mag, b.mag)
        elif op in (cst.Multiply, cst.Power):
            mag = mul_mag(a.mag, b.mag)
            if op is cst.Power:
                e = b.code if not b.axes else ""
                if not e.isdigit():
                    raise Decline("a loop index raised to a power that is not a non-negative integer literal")
                mag = a.mag
                for _ in range(int(e) - 1):
                    mag = mul_mag(mag, a.mag)
        elif op is cst.FloorDivide:
            return a.mag  # |a // b| <= |a| for integers b != 0
        elif op is cst.Modulo:
            return b.mag  # |a % b| < |b|
        else:
            return None
        if (a.axes or b.axes) and not fits_int64(mag, self.trips()):
            raise Decline("integer index arithmetic may exceed int64 (Python's ints would not overflow)")
        return mag

    def trips(self) -> list[int | None]:
        """Literal trip bounds of the nest axes (an index is below its axis's stop), None where unknown."""
        return [int(ax.stop) if ax.stop.isdigit() else None for ax in self.axes]

    def compare(self, node: cst.Comparison) -> V:
        parts, left, vs = [], self.row_expr(node.left), []
        vs.append(left)
        for ct in node.comparisons:
            if type(ct.operator) not in CMP:
                raise Decline(f"comparison `{self.code(ct.operator)}` is not vectorized")
            right = self.row_expr(ct.comparator)
            left, right = self.aligned(left, right)
            vs.append(right)
            parts.append(f"{left.wrap(31)} {CMP[type(ct.operator)]} {right.wrap(31)}")
            left = right
        if len(parts) == 1:
            return V(parts[0], 30, **union(*vs, kind="np"))
        if any(v.own for v in vs):
            raise Decline("a chained comparison of rows (Python asks for one truth value)")
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
        args = [self.row_expr(a.value) for a in node.args]
        if fn.startswith("numpy.") and fn[6:] in NP_ELEMENTWISE or fn == "abs":
            args = self.aligned(*args) if args else args  # element-wise on rows as on elements
        elif any(a.own for a in args):
            raise Decline(f"`{self.code(node.func)}` is called on a whole row (only NumPy element-wise "
                          "functions and reductions take rows)")
        if fn.startswith("math.") and fn[5:] in MATH:
            extra = "" if all(d in WIDE for v in args for d in v.dtypes) else f", dtype={self.np}.float64"
            code = f"{self.np}.{MATH[fn[5:]]}({', '.join(a.code for a in args)}{extra})"
            return V(code, **union(*args, kind="py"))
        if fn.startswith("numpy.") and fn[6:] in NP_ELEMENTWISE:
            return V(f"{self.np}.{fn[6:]}({', '.join(a.code for a in args)})", **union(*args, kind="np"))
        if fn in ("float", "int") and len(args) == 1:
            return self.convert(fn, args[0])
        if fn == "abs" and len(args) == 1:
            return V(f"{self.np}.abs({args[0].code})", **union(*args, kind=args[0].kind))
        if fn in ("min", "max") and len(args) == 2:
            x, y = args
            op = "<" if fn == "min" else ">"  # Python keeps x unless y is strictly better
            return V(f"{self.np}.where({y.wrap(31)} {op} {x.wrap(31)}, {y.code}, {x.code})",
                     **union(x, y, kind=select_kind(x, y)))
        raise Decline(f"call `{self.code(node.func)}` is not a known element-wise function")

    def convert(self, fn: str, v: V) -> V:
        """`float(x)`/`int(x)` per element: float64 as Python's float, int64 as Python's int where exact."""
        real = v.kind == "np" and all(d.startswith(("float", "int", "uint", "bool")) for d in v.dtypes) \
            and "" not in v.dtypes
        if fn == "float":
            if v.kind == "py":
                return v
            if v.kind != "int" and not real:
                raise Decline("float() of a value of unknown or complex type")
            return V(f"{v.wrap(100)}.astype({self.np}.float64)", **union(v, kind="py"))
        if v.kind == "int":
            return v
        if v.kind == "np" and all(d in ("int64", "int32", "int16", "int8", "uint32", "uint16", "uint8", "bool")
                                  for d in v.dtypes) and v.dtypes:
            return V(f"{v.wrap(100)}.astype({self.np}.int64)", **union(v, kind="int"))
        if self.index_ints and v.kind in ("np", "py") and v.dtypes and all(d.startswith("float") for d in v.dtypes):
            return V(f"{v.wrap(100)}.astype({self.np}.int64)", **union(v, kind="int"))  # truncates like int()
        raise Decline("int() of a float (NumPy's conversion overflows where Python's int does not)")

