"""Scratch arrays private to the iterations of the loops kept around split nests (doitgen's `total`):
an array each iteration fills (`for p in range(n): t[p] = ...`) before it reads it, that is fresh,
not indexed by the kept loops and not read after them. Expanded by those loops' axes (`t_rq[r, q, p]`),
every iteration gets its own copy, so the nests that fill and read it vectorise over the kept loops.
"""

from __future__ import annotations

from typing import NamedTuple

import libcst as cst

from optadvise.rewriters.cst import Tree
from optadvise.rewriters.loops.facts import fresh_around
from optadvise.rewriters.loops.site import read_outside


class Scratch(NamedTuple):
    """`name` expanded to `expanded`, its leading `outer` axes those of the kept loops."""

    name: str
    expanded: str
    outer: int


def private_scratch(tree: Tree, scope: cst.CSTNode, chain: list[cst.For]) -> dict[str, Scratch]:
    """The scratch arrays of the body of the innermost loop of `chain`, by name."""
    body = chain[-1].body
    names = [lp.target.value for lp in chain if isinstance(lp.target, cst.Name)]
    variables, suffix = set(names), "".join(names)
    outside = read_outside(tree, scope, chain[0])
    found: dict[str, Scratch] = {}
    for name in dict.fromkeys(n.value for n in tree.walk(body) if isinstance(n, cst.Name)):
        if name in outside or name in variables or not fresh_around(tree, chain[0], name) \
                or not filled_first(tree, body, name):
            continue
        found[name] = Scratch(name, tree.fresh(f"{name}_{suffix}"), len(chain))
    return found


def filled_first(tree: Tree, body: cst.CSTNode, name: str) -> bool:
    """Every use of `name` in `body` is `name[q]`, `q` the variable of a loop over the same range as
    the loop whose body first uses it, by `name[p] = ...` as one of its own statements: each
    iteration writes every element it reads before reading it."""
    uses = list(tree.name_nodes(body, name))
    if not uses:
        return False
    ranges = set()
    for n in uses:
        sub = tree.parent.get(n)
        if not (isinstance(sub, cst.Subscript) and sub.value is n and len(sub.slice) == 1
                and isinstance(sub.slice[0].slice, cst.Index) and isinstance(sub.slice[0].slice.value, cst.Name)):
            return False
        var = sub.slice[0].slice.value.value
        loop = next((a for a in tree.ancestors(sub) if isinstance(a, cst.For)
                     and isinstance(a.target, cst.Name) and a.target.value == var), None)
        if loop is None or not tree.inside(loop, body) or loop.orelse is not None:
            return False
        ranges.add(tree.code(loop.iter).strip())
    up = [*tree.ancestors(uses[0]), None, None, None, None, None, None][:6]
    kinds = (cst.Subscript, cst.AssignTarget, cst.Assign, cst.SimpleStatementLine, cst.IndentedBlock, cst.For)
    if len(ranges) != 1 or not all(isinstance(a, k) for a, k in zip(up, kinds)):
        return False
    assign, head = up[2], up[5]
    assert isinstance(assign, cst.Assign) and head is not None
    return len(assign.targets) == 1 and tree.parent.get(head) is body and not tree.name_nodes(assign.value, name)
