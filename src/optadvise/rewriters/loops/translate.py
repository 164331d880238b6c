"""Translation of one loop nest to whole-array NumPy statements, and the verdict that makes it legal.

The nest's headers become axes, its body becomes one NumPy statement per body statement, and the
accesses those statements make go to the dependence proof; a carried dependence, a body with no
lasting effect, or a loop-set name read after the loop declines.
"""

from __future__ import annotations

from dataclasses import replace

import libcst as cst

from optadvise.model import Finding, Profile
from optadvise.rewriters.base import Decline
from optadvise.rewriters.cst import Tree
from optadvise.rewriters.loops.attributes import check_attributes, dotted_key, references
from optadvise.rewriters.loops.axes import build_axes
from optadvise.rewriters.loops.dependence import LoopAccesses, Verdict, prove
from optadvise.rewriters.loops.facts import fresh_around, gather_facts
from optadvise.rewriters.loops.scratch import Scratch
from optadvise.rewriters.loops.site import read_outside
from optadvise.rewriters.loops.statements import Nest, suite_statements
from optadvise.rewriters.loops.values import Elem


def count_writes(nest: Nest, body: list[cst.BaseStatement]) -> None:
    """Record the arrays the body writes through subscripts and how often it assigns each name."""
    for s in body:
        for n in nest.tree.walk(s):
            tgt = n.target if isinstance(n, cst.AugAssign) else None
            for t in ([x.target for x in n.targets] if isinstance(n, cst.Assign) else [tgt] if tgt else []):
                if isinstance(t, cst.Subscript):
                    base: cst.BaseExpression = t
                    while isinstance(base, cst.Subscript):
                        base = base.value
                    key = dotted_key(base)
                    if key is not None:
                        nest.written.add(key)
                elif isinstance(t, cst.Name):
                    nest.assign_count[t.value] = nest.assign_count.get(t.value, 0) + 1


def translate(tree: Tree, scope: cst.CSTNode, loops: list[cst.For], finding: Finding,
              profile: Profile | None, np: str, body: list[cst.BaseStatement] | None = None,
              guard_aliases: bool = False, scratch: dict[str, Scratch] | None = None,
              interior: bool = False) -> tuple[Nest, Verdict]:
    """The translated nest `loops` (outermost first, each inside the one before) and its dependence
    verdict, `independent` or `reduction`; declines anything else. `body` is the part of the innermost
    loop's body to translate (all of it by default); with `guard_aliases`, arrays that may share
    memory are listed in the verdict's `disjoint` instead of declining; `scratch` arrays are read and
    written in their expanded copies. An `interior` nest runs over part of its loops' ranges (the
    rest runs as loops: `loops/clipped`), so its proof does not rest on where its ranges start."""
    outer = loops[0]
    if body is None:
        body = suite_statements(loops[-1].body)
    check_attributes(tree, scope, outer)
    names = {key for key, _ in references(tree, outer)}
    facts = gather_facts(tree, scope, finding, profile, names)
    assigned = tree.stores(outer)
    nest = Nest(tree, np, facts, [], {}, assigned, loop_stmt=outer)
    for sc in (scratch or {}).values():
        if sc.name in facts.arrays:
            nd, dt = facts.arrays[sc.name]
            facts.arrays[sc.expanded] = (nd + sc.outer, dt)
        nest.scratch[sc.name] = (sc.expanded, sc.outer)
    count_writes(nest, body)
    build_axes(tree, scope, loops, nest)
    nest.written = {e.array if isinstance(e := nest.env.get(w), Elem) else w for w in nest.written}
    nest.body(body)
    if not nest.out:
        raise Decline("the loop has no effect that outlives it")
    arrays = {a.array for _, a, _ in nest.accesses}
    accesses = tuple((p, replace(a, lows=()) if interior else a, w) for p, a, w in nest.accesses)
    verdict = prove(LoopAccesses(accesses, frozenset(nest.iterated),
                                 frozenset(a for a in arrays if fresh_around(tree, outer, a)
                                           or a in {sc.expanded for sc in (scratch or {}).values()}),
                                 frozenset(nest.results), guard_aliases))
    if verdict.kind == "carried":
        raise Decline(verdict.reason)
    leaked = (assigned - nest.results) & read_outside(tree, scope, outer)
    if leaked:
        raise Decline(f"`{sorted(leaked)[0]}` (set in the loop) is read after it; its final value would change")
    return nest, verdict
