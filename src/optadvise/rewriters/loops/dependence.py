"""The dependence proof of a loop nest, as a pure function of the accesses it makes.

Input: every array access of the translated body (statement position, array, index offset per nest
axis, loop-invariant subscripts, the least value of each loop subscript, read or write), the arrays
the loop headers iterate over, the arrays allocated fresh just before the loop, and the names the
loop accumulates into or appends to.
Output: a `Verdict`, `independent`, `reduction` (iterations independent except for accumulated
results) or `carried` (a value flows between iterations, or arrays may alias), with the reason.
Accesses at provably distinct elements (`disjoint`: a fixed row below the first row a loop writes)
carry nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Access:
    """One array access: the offset from the loop index per nest axis, and the fixed subscripts."""

    array: str
    offsets: tuple[int | None, ...]  # per nest axis: index offset, None when the axis is not used
    subs: tuple[str, ...]  # the loop-invariant subscripts, "" where a loop index stands
    order: tuple[int, ...] = ()  # the nest axes of the loop-index subscripts, in subscript order
    lows: tuple[tuple[str, int] | None, ...] = ()  # per subscript: a loop index's least value, `sym + c`


@dataclass(frozen=True)
class LoopAccesses:
    """What one loop nest touches, in body order."""

    accesses: tuple[tuple[int, Access, bool], ...]  # (statement position, access, is_write)
    iterated: frozenset[str] = frozenset()  # arrays a loop header iterates over
    fresh: frozenset[str] = frozenset()  # arrays allocated just before the loop (aliasing nothing)
    results: frozenset[str] = frozenset()  # names accumulated into or appended to (live after)
    guard_aliases: bool = False  # may-alias pairs go to `Verdict.disjoint` (checked at run time) instead


@dataclass(frozen=True)
class Verdict:
    kind: Literal["independent", "reduction", "carried"]
    reason: str
    disjoint: tuple[tuple[str, str], ...] = ()  # array pairs that must not share memory (guard_aliases)
    pivots: tuple[Access, ...] = ()  # fixed-index reads of written elements, checked unchanged at run time


POINT = re.compile(r"(?:([A-Za-z_]\w*)\s*([+-])\s*)?(\d+)|([A-Za-z_]\w*)")


def point(sub: str) -> tuple[str, int] | None:
    """A fixed subscript `c`, `k`, `k + c` or `k - c` (c an integer literal) as (symbol, c), "" for no symbol."""
    m = POINT.fullmatch(sub.strip())
    if m is None:
        return None
    if m.group(4):
        return m.group(4), 0
    return m.group(1) or "", int(m.group(3)) * (-1 if m.group(2) == "-" else 1)


def disjoint(a: Access, b: Access) -> bool:
    """Whether `a` and `b` never touch the same element: at some subscript they take distinct
    non-negative literals, or a fixed `k + c` below the least value `k + s` a loop index takes there
    (`k` is then an outer loop index counting up from zero, so with 0 <= c the index does not wrap around)."""
    if len(a.subs) != len(b.subs):
        return False
    for p, (x, y) in enumerate(zip(a.subs, b.subs)):
        if x and y:
            px, py = point(x), point(y)
            if px and py and px[0] == py[0] == "" and px[1] != py[1] and min(px[1], py[1]) >= 0:
                return True
        elif x or y:
            fixed = point(x or y)
            low = (b.lows if x else a.lows)[p] if len(a.lows) == len(b.lows) == len(a.subs) else None
            if fixed and low and fixed[0] == low[0] and 0 <= fixed[1] < low[1]:
                return True
    return False


def _constant(x: str) -> bool:
    return x.lstrip("-").isdigit()


def _apart(a: Access, b: Access) -> bool:
    """Some fixed subscript of `a` and `b` is two different constants of the same sign (`2` and `-1`
    may be the same element)."""
    return any(x != y and _constant(x) and _constant(y) and x.startswith("-") == y.startswith("-")
               for x, y in zip(a.subs, b.subs))


def _carried(arr: str, accs: list[tuple[int, Access, bool]], loop: LoopAccesses,
             arrays: set[str]) -> str | None:
    """Why writing `arr` carries a value between iterations (or may alias), or None."""
    writes = [(p, a) for p, a, w in accs if w]
    if not writes:
        return None
    if arr in loop.iterated:
        return f"the loop iterates over `{arr}` while writing it"
    if len({(a.offsets, a.subs) for _, a in writes}) > 1:
        if not all(_apart(x, y) for _, x in writes for _, y in writes if (x.offsets, x.subs) != (y.offsets, y.subs)):
            return f"`{arr}` is written at several different places per iteration"
        for _, place in writes:  # each fixed place on its own, with the accesses that may meet it
            why = _carried(arr, [(p, a, iw) for p, a, iw in accs if not _apart(a, place)], loop, arrays)
            if why is not None:
                return why
        return None
    wacc = writes[0][1]
    first_write = min(p for p, _ in writes)
    for p, a, w in accs:
        if w or a == wacc:
            continue
        if disjoint(a, wacc):
            continue  # never the element written
        if a.subs != wacc.subs:
            if _apart(a, wacc):
                continue  # a different constant column: never the element written
            return f"`{arr}` is read and written at different fixed indices"
        if any((x is None) != (y is None) for x, y in zip(a.offsets, wacc.offsets)) or a.order != wacc.order:
            return f"`{arr}` is read with a different index pattern than it is written"
        sign = next((x - y for x, y in zip(a.offsets, wacc.offsets) if x is not None and y is not None and x != y), 0)
        if sign < 0:
            return f"iteration reads `{arr}` written by an earlier iteration (a recurrence)"
        if sign > 0 and p > first_write:
            return f"`{arr}` is read ahead after being written in the same iteration"
    others = _may_alias(arr, arrays, loop)
    if others and not loop.guard_aliases:
        return f"`{arr}` is written but not allocated just before the loop; it may share memory with `{others[0]}`"
    return None


def _may_alias(arr: str, arrays: set[str], loop: LoopAccesses) -> list[str]:
    """The other arrays the written `arr` may share memory with (neither allocated just before)."""
    if arr in loop.fresh:
        return []
    return sorted(x for x in arrays if x != arr and x not in loop.fresh)


def pivot_reads(arr: str, accs: list[tuple[int, Access, bool]], loop: LoopAccesses) -> tuple[Access, ...]:
    """The reads of `arr` at fixed indices that may touch elements the nest writes (a pivot row or
    column), when that is the only way values could flow between iterations: one write, in the last
    statement touching `arr`, covering each element once (every nest axis at offset 0, in order), and
    every other read the element itself, provably elsewhere, or the same element with some subscripts
    fixed. If the new values of the pivot elements equal their old ones (checked at run time, with
    `guard_aliases`), every iteration reads old values, so the whole-array statement is exact. Empty
    when that shape does not hold or no such read exists."""
    writes = {a for _, a, w in accs if w}
    if not loop.guard_aliases or arr in loop.iterated or len(writes) != 1:
        return ()
    (w,) = writes
    n = len(w.offsets)
    if any(w.subs) or w.order != tuple(range(n)) or any(o != 0 for o in w.offsets) or len(w.subs) != n:
        return ()
    last = max(p for p, _, x in accs if x)
    found: list[Access] = []
    for p, a, x in accs:
        if x or (a.subs, a.offsets, a.order) == (w.subs, w.offsets, w.order) or disjoint(a, w):
            continue
        order = iter(a.order)
        if p > last or len(a.subs) != n or all(a.subs) or not any(a.subs) or any(
                not s and (next(order, None) != k or a.offsets[k] != 0) for k, s in enumerate(a.subs)):
            return ()
        found.append(a)
    return tuple(dict.fromkeys(found))


def prove(loop: LoopAccesses) -> Verdict:
    """Whether the iterations of the loop nest are independent, reduce into results, or carry values."""
    by_arr: dict[str, list[tuple[int, Access, bool]]] = {}
    for pos, acc, w in loop.accesses:
        by_arr.setdefault(acc.array, []).append((pos, acc, w))
    pairs: set[tuple[str, str]] = set()
    pivots: list[Access] = []
    for arr, accs in by_arr.items():
        found = pivot_reads(arr, accs, loop)
        why = _carried(arr, accs, loop, set(by_arr)) if not found else None
        if why is not None:
            return Verdict("carried", why)
        pivots.extend(found)
        if any(w for _, _, w in accs):
            pairs.update((min(arr, o), max(arr, o)) for o in _may_alias(arr, set(by_arr), loop))
    disjoint = tuple(sorted(pairs))
    if loop.results:
        return Verdict("reduction", f"iterations combine into `{sorted(loop.results)[0]}`", disjoint, tuple(pivots))
    return Verdict("independent", "no iteration reads what another writes", disjoint, tuple(pivots))
