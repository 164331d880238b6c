"""The translated value record and the scalar-kind lattice of loop translation.

`V` is one loop-body expression translated to whole-array NumPy: its code, its precedence, the nest
axes it varies along, its own dimensions (a row `A[i]` has one, after all nest axes), its element kind
("np" NumPy scalar, "py" Python float, "int" loop index, "?" unknown) and the array accesses it reads.
`merge_kind`/`select_kind`/`union` are the merge rules for combining values, `widened` aligns own
dimensions; `Axis`, `Elem` and `Row` describe loop indices, elements bound by iterating an
array, and rows built per iteration.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from optadvise.rewriters.loops.bounds import Mag
from optadvise.rewriters.loops.dependence import Access

PREC = {cst.Power: 90, cst.Multiply: 70, cst.Divide: 70, cst.FloorDivide: 70, cst.Modulo: 70,
        cst.Add: 60, cst.Subtract: 60, cst.BitAnd: 50, cst.BitXor: 45, cst.BitOr: 40}
OPS = {cst.Power: "**", cst.Multiply: "*", cst.Divide: "/", cst.FloorDivide: "//", cst.Modulo: "%",
       cst.Add: "+", cst.Subtract: "-", cst.BitAnd: "&", cst.BitXor: "^", cst.BitOr: "|"}
AUG: dict[type[cst.BaseAugOp], type[cst.BaseBinaryOp]] = {
    cst.AddAssign: cst.Add, cst.SubtractAssign: cst.Subtract, cst.MultiplyAssign: cst.Multiply,
    cst.DivideAssign: cst.Divide, cst.PowerAssign: cst.Power, cst.FloorDivideAssign: cst.FloorDivide,
    cst.ModuloAssign: cst.Modulo}


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
    mag: Mag | None = None  # for kind "int": a bound on the magnitude (None: unknown)
    own: int = 0  # trailing dimensions of its own per iteration (a row: 1), after all nest axes

    def wrap(self, prec: int) -> str:
        return f"({self.code})" if self.prec < prec else self.code


@dataclass
class Axis:
    var: str | None
    start: int
    stop: str
    full: tuple[str, int] | None = None  # stop equals len(array) along this dim
    base: str = ""  # a non-negative loop-invariant index the start is counted from (`range(i + 1, n)`)

    def first(self, off: int = 0) -> str:
        """The code of the first index the axis reads at offset `off` ("0" from the start)."""
        return fold(self.base, self.start + off) if self.base else str(self.start + off)


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


def integral(v: V) -> bool:
    """Python ints (loop-index arithmetic) or elements of integer arrays."""
    return v.kind == "int" or v.kind == "np" and bool(v.dtypes) and all(
        d.startswith(("int", "uint")) for d in v.dtypes)


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
                dtypes=frozenset().union(*(v.dtypes for v in vs)), exact=all(v.exact for v in vs),
                **{"own": max((v.own for v in vs), default=0), **kw})


def widened(v: V, own: int) -> V:
    """`v` with new axes between its nest axes and its own dimensions, up to `own` of them, so that it
    broadcasts against a value with more own dimensions as it did per iteration (`a[:, None]` against
    rows `A`); a value with no nest axes broadcasts from the right already."""
    if not v.axes or v.own >= own:
        return v
    spread = ", ".join(["..."] + ["None"] * (own - v.own) + [":"] * v.own)
    return V(f"{v.wrap(100)}[{spread}]", **union(v, kind=v.kind, mag=v.mag, own=own))


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

