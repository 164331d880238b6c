"""Linear forms of integer index expressions: `c0 + sum(c_s * s)` over symbols (loop indices and
loop-invariant names), as read from loop bounds and subscripts (`i + k`, `i - r + k`, `k + r`,
`2 * r`, `n - r`), with the code they are written back as and the sign facts that window slices are
proven with.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import libcst as cst

Atom = Callable[[cst.BaseExpression], "str | None"]


@dataclass(frozen=True)
class Lin:
    """`const + sum(coef * symbol)`, terms sorted, no zero coefficient."""

    terms: tuple[tuple[str, int], ...] = ()
    const: int = 0

    @staticmethod
    def of(symbol: str, coef: int = 1) -> Lin:
        return Lin(((symbol, coef),)) if coef else Lin()

    def __add__(self, other: Lin | int) -> Lin:
        o = other if isinstance(other, Lin) else Lin((), other)
        merged = dict(self.terms)
        for s, c in o.terms:
            merged[s] = merged.get(s, 0) + c
        return Lin(tuple(sorted((s, c) for s, c in merged.items() if c)), self.const + o.const)

    def __sub__(self, other: Lin | int) -> Lin:
        return self + (other if isinstance(other, Lin) else Lin((), other)).scaled(-1)

    def scaled(self, k: int) -> Lin:
        return Lin(tuple((s, c * k) for s, c in self.terms if c * k), self.const * k)

    def coef(self, symbol: str) -> int:
        return dict(self.terms).get(symbol, 0)

    def without(self, symbol: str) -> Lin:
        return Lin(tuple((s, c) for s, c in self.terms if s != symbol), self.const)

    def symbols(self) -> set[str]:
        return {s for s, _ in self.terms}

    def substitute(self, symbol: str, value: Lin) -> Lin:
        """This form with `symbol` replaced by `value`."""
        c = self.coef(symbol)
        return self.without(symbol) + value.scaled(c) if c else self

    def code(self, last: set[str] | frozenset[str] = frozenset()) -> str:
        """Python source: positive terms first, the symbols in `last` at the end, the constant last
        of all (`r + k`, `n - r + k`, `2 * r - 1`, `-r`)."""
        out = ""
        for s, c in sorted(self.terms, key=lambda t: (t[0] in last, t[1] < 0, t[0])):
            mag = s if abs(c) == 1 else f"{abs(c)} * {s}"
            out = (f"-{mag}" if c < 0 else mag) if not out else f"{out} {'-' if c < 0 else '+'} {mag}"
        if not out:
            return str(self.const)
        if self.const:
            out = f"{out} {'-' if self.const < 0 else '+'} {abs(self.const)}"
        return out


def linear(e: cst.BaseExpression, atom: Atom) -> Lin | None:
    """The linear form of `e` (integer literals, `+`, `-`, unary minus, products with a literal side,
    parentheses), its leaves named by `atom` (None: not linear), or None."""
    if isinstance(e, cst.Integer):
        return Lin((), int(e.value, 0))
    if isinstance(e, cst.UnaryOperation) and isinstance(e.operator, cst.Minus):
        x = linear(e.expression, atom)
        return None if x is None else x.scaled(-1)
    if isinstance(e, cst.BinaryOperation) and isinstance(e.operator, (cst.Add, cst.Subtract, cst.Multiply)):
        a, b = linear(e.left, atom), linear(e.right, atom)
        if a is None or b is None:
            return None
        if isinstance(e.operator, cst.Add):
            return a + b
        if isinstance(e.operator, cst.Subtract):
            return a - b
        if not a.terms:
            return b.scaled(a.const)
        return a.scaled(b.const) if not b.terms else None
    name = atom(e)
    return None if name is None else Lin.of(name)


def least(form: Lin, ranges: dict[str, tuple[Lin, Lin]]) -> Lin:
    """The least value of `form` as its symbols in `ranges` run over [start, stop) (non-empty)."""
    out = form
    for s, (lo, hi) in ranges.items():
        c = form.coef(s)
        out = out.substitute(s, lo if c > 0 else hi - 1) if c else out
    return out


def greatest(form: Lin, ranges: dict[str, tuple[Lin, Lin]]) -> Lin:
    """The greatest value of `form` as its symbols in `ranges` run over [start, stop) (non-empty)."""
    return least(form.scaled(-1), ranges).scaled(-1)
