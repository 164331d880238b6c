"""The index space of a loop nest: loop axes, loop invariance, subscripts turned into slices, and
the record of every array access each emitted statement makes (the input to the dependence proof).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import libcst as cst

from optadvise.rewriters.base import Decline
from optadvise.rewriters.cst import Tree
from optadvise.rewriters.loops.attributes import dotted_key, root_of
from optadvise.rewriters.loops.dependence import Access
from optadvise.rewriters.loops.facts import Facts, allocated_extent
from optadvise.rewriters.loops.linear import Lin, linear
from optadvise.rewriters.loops.values import Axis, Elem, V, fold

NP_ELEMENTWISE = {"sqrt", "exp", "log", "log10", "log2", "log1p", "expm1", "sin", "cos", "tan", "arcsin",
                  "arccos", "arctan", "arctan2", "sinh", "cosh", "tanh", "abs", "absolute", "fabs", "hypot",
                  "minimum", "maximum", "fmin", "fmax", "square", "sign", "floor", "ceil", "trunc", "rint",
                  "exp2", "power", "clip", "where", "isnan", "isfinite", "isinf", "copysign", "fmod",
                  "logical_and", "logical_or", "logical_not", "cbrt", "reciprocal", "deg2rad", "rad2deg"}
PURE_BUILTINS = {"len", "abs", "min", "max", "float", "int", "round", "range"}
ROW_REDUCE = {"sum": "sum", "mean": "mean", "max": "max", "min": "min", "amax": "max", "amin": "min",
              "prod": "prod"}  # np.<name>(row) -> np.<value>(rows, axis=-1)
ROW_REDUCTIONS = {*ROW_REDUCE, "dot", "linalg.norm"}  # the np.* calls that take rows
ARRAY_METHODS = set(ROW_REDUCE.values())  # `row.sum()`


def int_value(e: cst.BaseExpression, known: dict[str, int]) -> int | None:
    """The value of an integer expression of literals and the `known` names (`+`, `-`, `*`), or None."""
    if isinstance(e, cst.Integer):
        return int(e.value, 0)
    if isinstance(e, cst.Name):
        return known.get(e.value)
    if isinstance(e, cst.UnaryOperation) and isinstance(e.operator, cst.Minus):
        x = int_value(e.expression, known)
        return None if x is None else -x
    if isinstance(e, cst.BinaryOperation) and isinstance(e.operator, (cst.Add, cst.Subtract, cst.Multiply)):
        a, b = int_value(e.left, known), int_value(e.right, known)
        if a is None or b is None:
            return None
        return a + b if isinstance(e.operator, cst.Add) else a - b if isinstance(e.operator, cst.Subtract) else a * b
    return None


@dataclass
class Indexing:
    """The state of one nest translation and its index layer: axes, bindings, accesses, output."""

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
    loop_stmt: cst.BaseStatement | None = None
    inner_scalars: set[str] = field(default_factory=set)
    written: set[str] = field(default_factory=set)
    assign_count: dict[str, int] = field(default_factory=dict)
    pinned: set[str] = field(default_factory=set)
    iterated: set[str] = field(default_factory=set)
    masks: int = 0
    unrolled: dict[str, int] = field(default_factory=dict)  # variables of constant loops unrolled in the body
    grids: dict[str, str] = field(default_factory=dict)  # loop index -> the index grid bound to its name
    scratch: dict[str, tuple[str, int]] = field(default_factory=dict)  # private array -> (expanded, outer axes)
    windows: dict[str, tuple[Lin, Lin]] = field(default_factory=dict)  # kept window loop -> its [start, stop)
    shifted: dict[str, int] = field(default_factory=dict)  # window loop counted from a nest axis -> that axis
    requires: list[str] = field(default_factory=list)  # conditions checked at run time (`r >= 0`)

    @property
    def pos(self) -> int:
        return len(self.out)

    def require(self, checks: Iterable[str]) -> None:
        """Add conditions the rewrite checks at run time (each once, in order)."""
        self.requires.extend(c for c in checks if c not in self.requires)

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
                if self.tree.resolve(n.func) == "sum" and len(n.args) == 1 \
                        and isinstance(n.args[0].value, cst.GeneratorExp):
                    return False  # `sum(x for k in range(...))`: an inner sum, translated as varying
                self.check_pure(n)
            if isinstance(n, (cst.Lambda, cst.NamedExpr, cst.Yield, cst.Await, cst.ListComp, cst.GeneratorExp)):
                raise Decline("the loop body uses a construct that is not a plain expression")
        return True

    def check_pure(self, call: cst.Call) -> None:
        fn = self.tree.resolve(call.func) or ""
        if fn.startswith("math.") or fn in PURE_BUILTINS or (fn.startswith("numpy.") and fn[6:] in NP_ELEMENTWISE):
            return
        if fn.startswith("numpy.") and fn[6:] in ROW_REDUCTIONS or self.array_method(call):
            return
        raise Decline(f"the loop calls `{self.code(call.func)}`, which may have side effects per iteration")


    def array_method(self, call: cst.Call) -> bool:
        """`x.sum()`, `A[i].max()`: a reduction method without arguments on a NumPy array (a known
        array, a subscript of one, or a value the loop computes, which translation checks)."""
        func = call.func
        if call.args or not isinstance(func, cst.Attribute) or func.attr.value not in ARRAY_METHODS:
            return False
        if any(isinstance(n, cst.Name) and (n.value in self.assigned or n.value in self.env
                                            or self.axis_of(n.value) is not None) for n in self.tree.walk(func.value)):
            return True  # varies with the loop: translated as a row or declined
        base = func.value
        while isinstance(base, cst.Subscript):
            base = base.value
        return isinstance(base, cst.Name) and self.facts.maybe_array(base.value) \
            and base.value not in self.facts.py_elements

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
        key = dotted_key(cur)
        if key is None:
            raise Decline(f"indexing a computed value: `{self.code(node)}`")
        base = self.env.get(key)
        if isinstance(base, Elem):
            return base, idx
        root = root_of(key)
        if root in self.assigned or root in self.env or self.axis_of(root) is not None:
            raise Decline(f"`{root}` is rebound inside the loop and indexed" + (f" (`{key}`)" if key != root else ""))
        return key, idx

    def index_parts(self, node: cst.Subscript) -> tuple[str, list[tuple[int, int | Lin]], list[tuple[int, str]]]:
        """(array, [(axis, offset) per subscript position], [(position, invariant code)])."""
        base, idx = self.flatten(node)
        lead: list[tuple[int, int | Lin]] = []
        arr = base
        if isinstance(base, Elem):
            lead = [(k, 0) for k in base.prefix]
            arr = base.array
        elif base in self.scratch:  # each iteration of the kept loops has its own copy
            arr, outer = self.scratch[base]
            lead = [(k, 0) for k in range(outer)]
        loops, invs = list(lead), []
        for pos, e in enumerate(idx, start=len(lead)):
            window = self.window_index(e)
            if window is not None and window[0] is None:  # `w[k - i + r]` with `k` counted from `i`
                invs.append((pos, window[1].code(last=set(self.windows)) if isinstance(window[1], Lin)
                             else str(window[1])))
                continue
            ao = self.affine(e)
            c = self.constant(e) if any(isinstance(n, cst.Name) and n.value in self.unrolled
                                        for n in self.tree.walk(e)) else None
            if ao is None and c is not None:
                if c < 0:
                    raise Decline(f"`{self.code(e)}` is a negative index (wraps around) in an unrolled loop")
                invs.append((pos, str(c)))
            elif ao is None:
                if not self.invariant(e):
                    raise Decline(f"indirect or non-affine index `{self.code(e)}`")
                invs.append((pos, self.code(e)))
            else:
                loops.append(ao)
        return arr, loops, invs  # type: ignore[return-value]

    def affine(self, e: cst.BaseExpression) -> tuple[int, int | Lin] | None:
        """(axis, offset) for `i`, `i + c`, `i - c`, `c + i` with `i` a loop index and c an int literal,
        or a symbolic offset over loop-invariant names and window loop variables (`i + k`, `i - r + k`)."""
        window = self.window_index(e)
        if window is not None and window[0] is not None:
            return window  # type: ignore[return-value]
        if isinstance(e, cst.Name) and self.axis_of(e.value) is not None:
            return self.axis_of(e.value), 0  # type: ignore[return-value]
        if isinstance(e, cst.BinaryOperation) and isinstance(e.operator, (cst.Add, cst.Subtract)):
            sign = 1 if isinstance(e.operator, cst.Add) else -1
            if isinstance(e.left, cst.Name) and self.axis_of(e.left.value) is not None:
                c = self.constant(e.right)
                if c is not None:
                    return self.axis_of(e.left.value), sign * c  # type: ignore[return-value]
                raise Decline(f"index offset `{self.code(e.right)}` is not an integer literal")
            if sign == 1 and isinstance(e.right, cst.Name) and self.axis_of(e.right.value) is not None:
                c = self.constant(e.left)
                if c is not None:
                    return self.axis_of(e.right.value), c  # type: ignore[return-value]
                raise Decline(f"index offset `{self.code(e.left)}` is not an integer literal")
        return None

    def window_index(self, e: cst.BaseExpression) -> tuple[int | None, int | Lin] | None:
        """(axis, offset) of a subscript that reads through a window: one nest axis (or None) plus a
        linear form over loop-invariant names, with at least one window loop variable; else None."""
        if not self.windows:
            return None
        form = linear(e, self.symbol)
        if form is None:
            return None
        moved = any(form.coef(var) for var in self.shifted)
        for var, k in self.shifted.items():
            form = form.substitute(var, Lin.of(self.axes[k].var or "") + Lin.of(var))
        ks = [s for s in form.symbols() if self.axis_of(s) is not None and s not in self.shifted]
        if len(ks) > 1 or ks and form.coef(ks[0]) != 1 or not form.symbols() & set(self.windows):
            return None
        if not ks:
            return (None, form) if moved else None
        off = form.without(ks[0])
        return self.axis_of(ks[0]), off if off.terms else off.const

    def symbol(self, e: cst.BaseExpression) -> str | None:
        """The symbol a leaf of an index's linear form stands for: a nest axis, a window loop variable,
        a loop-invariant name, or a length (`len(a)`, `a.shape[0]`); None for anything else."""
        if isinstance(e, cst.Name):
            if e.value in self.windows or self.axis_of(e.value) is not None \
                    or e.value not in self.assigned and not self.facts.maybe_array(e.value):
                return e.value
            return None
        if isinstance(e, (cst.Call, cst.Subscript, cst.Attribute)) and self.invariant(e) \
                and not self.facts.maybe_array(dotted_key(e) or ""):
            return self.code(e)
        return None

    def constant(self, e: cst.BaseExpression) -> int | None:
        """The value of an integer expression of literals and unrolled loop variables, or None."""
        return int_value(e, self.unrolled)

    def access(self, node: cst.Subscript) -> V:
        arr, loops, invs = self.index_parts(node)
        return self.access_parts(arr, loops, invs)

    def access_parts(self, arr: str, loops: list[tuple[int, int | Lin]], invs: list[tuple[int, str]],
                     compact: bool = False, own: int = 0) -> V:
        """The access as a whole-array value broadcast over the nest axes, or with `compact` its own
        dimensions only, in subscript order (loop indices may then come in any order); with `own`, the
        last `own` dimensions of `arr` are not subscripted (a row) and follow all nest axes."""
        nd = self.facts.ndim(arr)
        n_idx = len(loops) + len(invs)
        if nd is None:
            self.facts.require_array(arr, f"the type/ndim of `{arr}` is unknown (no profile or allocation in sight)")
        if nd != n_idx + own:
            raise Decline(f"`{arr}` ({nd}-D) is indexed with {n_idx} subscripts inside the loop")
        ks = [k for k, _ in loops]
        if len(set(ks)) != len(ks):
            raise Decline(f"`{arr}` is indexed twice with the same loop index (a diagonal)")
        transposed = ks != sorted(ks) and not compact
        if own and (compact or transposed):
            raise Decline(f"a row of `{arr}` is read in a contraction or with loop indices out of nest order")
        if transposed and arr in self.written:
            raise Decline(f"`{arr}` is indexed with loop indices out of nest order (a transpose) and written")
        items: list[str] = []
        offsets: list[int | None] = [None] * len(self.axes)
        subs = [""] * n_idx
        lows: list[tuple[str, int] | None] = [None] * n_idx  # a loop index's least value per subscript
        loop_iter = iter(loops)
        inv_map = dict(invs)
        prev = None
        for pos in range(n_idx):
            if pos in inv_map:
                items.append(inv_map[pos])
                subs[pos] = inv_map[pos]
                continue
            k, off = next(loop_iter)
            if prev is not None and not compact and not transposed:
                items.extend(["None"] * (k - prev - 1))
            prev = k
            ax = self.axes[k]
            if isinstance(off, Lin):  # through a window: the dependence proof sees an unknown element
                if compact or transposed or own:
                    raise Decline(f"`{arr}` is read through a window in a contraction, transpose or row")
                items.append(self.window_slice(arr, pos, ax, off))
                subs[pos] = "?"
                continue
            offsets[k] = off
            start = ax.start + off
            if start < 0:
                raise Decline(f"`{arr}` is read at a negative index (wraps around) in the first iterations")
            lows[pos] = (ax.base, start)
            if start == 0 and off == 0 and not ax.base and self.whole(arr, pos, ax):
                items.append(":")
            else:
                first = ax.first(off)
                items.append(f"{first if first != '0' else ''}:{fold(ax.stop, off)}")
        if prev is not None and not compact and not transposed:
            items.extend(["None"] * (len(self.axes) - 1 - prev))
        items.extend([":"] * own)  # the whole row: the dependence proof sees ":" there
        acc = Access(arr, tuple(offsets), tuple(subs) + (":",) * own, tuple(ks), tuple(lows) + (None,) * own)
        code = arr if all(i == ":" for i in items) else f"{arr}[{', '.join(items)}]"
        axes = frozenset(k for k, _ in loops)
        if not axes:
            code = f"{arr}[{', '.join(items)}]"
        if transposed:  # a view with its axes put in nest order, then broadcast like the others
            code = self.in_nest_order(code, ks)
        return V(code, axes=axes, kind="py" if arr in self.facts.py_elements else "np", reads=(acc,),
                 dtypes=frozenset({self.facts.dtype(arr)}), own=own)

    def in_nest_order(self, code: str, ks: list[int]) -> str:
        """`code`, an array whose dimensions follow the loop axes `ks` (not in nest order), transposed
        into nest order and given a new axis for each nest axis between and after them."""
        order = sorted(range(len(ks)), key=ks.__getitem__)
        code = f"{code}.T" if len(ks) == 2 else f"{code}.transpose({', '.join(map(str, order))})"
        spread = [":" if a in ks else "None" for a in range(min(ks), len(self.axes))]
        return code if "None" not in spread else f"{code}[{', '.join(spread)}]"

    def window_slice(self, arr: str, pos: int, ax: Axis, off: Lin) -> str:
        """The slice of `arr` at subscript `pos` through a window (the window layer proves its bounds)."""
        raise Decline(f"`{arr}` is read through a window outside a window loop")

    def whole(self, arr: str, pos: int, ax: Axis) -> bool:
        """The axis runs over the whole length of `arr` along `pos`: its stop is that length, or the
        extent `arr` was allocated with (`np.zeros((n, m))` with `range(n)`, `np.empty_like(a)` with
        `range(len(a))`)."""
        if ax.full == (arr, pos):
            return True
        original = next(((name, outer) for name, (x, outer) in self.scratch.items() if x == arr), None)
        if original is not None:  # an expanded scratch array: the kept loops' stops, then the original's extent
            return pos < original[1] or self.whole(original[0], pos - original[1], ax)
        if self.loop_stmt is None:
            return False
        ext = allocated_extent(self.tree, self.tree.scope_of(self.loop_stmt), arr, self.loop_stmt)
        if isinstance(ext, str):
            return ax.full == (ext, pos)
        return ext is not None and pos < len(ext) and ext[pos] == ax.stop

    def emit(self, line: str, v: V | None = None, writes: tuple[Access, ...] = ()) -> None:
        pos = self.pos
        for a in (v.reads if v else ()):
            self.accesses.append((pos, a, False))
        for a in writes:
            self.accesses.append((pos, a, True))
        self.out.append(line)

