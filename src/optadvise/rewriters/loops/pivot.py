"""The run-time check of a nest that reads a pivot row or column of the array it writes (Floyd-Warshall's
`d[i, k]`, `d[k, j]` while `d[i, j]` is written): the new values go to a copy first, and are stored
only when the pivot elements among them equal the old ones (then every iteration of the loop read old
values; the dependence proof's `pivot_reads`), else the original loop runs.
"""

from __future__ import annotations

import libcst as cst

from optadvise.rewriters.base import Decline
from optadvise.rewriters.cst import Tree
from optadvise.rewriters.loops.axes import counts_up, enclosing_loops
from optadvise.rewriters.loops.dependence import Access, point
from optadvise.rewriters.loops.statements import Nest
from optadvise.rewriters.loops.values import fold


def non_negative(tree: Tree, loop: cst.CSTNode, sub: str) -> bool:
    """`sub` is a non-negative literal, or `k + c` (c >= 0) with `k` an enclosing loop index counting up
    from zero or more (so the index never wraps around)."""
    pt = point(sub)
    if pt is None or pt[1] < 0:
        return False
    return pt[0] == "" or any(isinstance(lp.target, cst.Name) and lp.target.value == pt[0]
                              and counts_up(tree, lp.iter) for lp in enclosing_loops(tree, loop))


def pivot_checked(tree: Tree, nest: Nest, pivots: tuple[Access, ...]) -> tuple[list[str], str, str]:
    """(statements computing the new values into a copy, the test that the pivot elements keep their
    values, the statement storing the copy) for a nest whose last statement is the one write."""
    loop = nest.loop_stmt
    assert loop is not None
    written = {a.array for a in pivots}
    if len(written) != 1 or any(w and a.array in written and p != len(nest.out) - 1 for p, a, w in nest.accesses):
        raise Decline("the pivot-reading nest does not end in its one write")
    last = cst.parse_statement(nest.out[-1])
    small = last.body[0] if isinstance(last, cst.SimpleStatementLine) and len(last.body) == 1 else None
    if not isinstance(small, (cst.Assign, cst.AugAssign)) or isinstance(small, cst.Assign) and len(small.targets) != 1:
        raise Decline("the pivot-reading nest does not end in its one write")
    target = small.targets[0].target if isinstance(small, cst.Assign) else small.target
    lhs, rhs = nest.code(target), nest.code(small.value)
    new = tree.fresh("_new")
    op = "=" if isinstance(small, cst.Assign) else nest.code(small.operator).strip()
    lines = [*nest.out[:-1], f"{new} = {lhs}.copy()", f"{new}[...] {op} {rhs}" if op == "=" else f"{new} {op} {rhs}"]
    tests = []
    for a in pivots:
        if not all(non_negative(tree, loop, s) for s in a.subs if s):
            raise Decline(f"`{a.array}` is read at a fixed index that may be negative (wraps around)")
        inside, at_new, at_old = [], [], []
        for k, s in enumerate(a.subs):
            ax = nest.axes[k]
            first = ax.first()
            if s:
                inside.append(f"{first} <= {s} < {ax.stop}" if first != "0" else f"{s} < {ax.stop}")
                outside = f"{s} >= {ax.stop}" if first == "0" else f"not {first} <= {s} < {ax.stop}"
                at_new.append(fold(s, -ax.start) if not ax.base else f"{s} - ({first})")
                at_old.append(s)
            else:
                at_new.append(":")
                at_old.append(f"{first if first != '0' else ''}:{ax.stop}")
        apart = outside if len(inside) == 1 else f"not ({' and '.join(inside)})"
        tests.append(f"({apart} or {nest.np}.array_equal({new}[{', '.join(at_new)}], {a.array}[{', '.join(at_old)}]))")
    store = f"{lhs} = {new}" if "[" in lhs else f"{lhs}[...] = {new}"
    return lines, " and ".join(dict.fromkeys(tests)), store
