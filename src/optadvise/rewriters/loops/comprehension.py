"""Translation of a one-clause list comprehension or generator expression over arrays to a whole-array
expression: `sum(g)` becomes `np.sum(...)`, `np.array([...])` takes the array, and a list keeps its
element type (`list(arr)` for NumPy scalars, `arr.tolist()` for Python floats) unless every later use
of the list (iteration, `np.array`, `len`) reads an array the same way.
"""

from __future__ import annotations

import libcst as cst

from optadvise.model import Finding, Profile
from optadvise.rewriters.base import Decline
from optadvise.rewriters.cst import Tree
from optadvise.rewriters.loops.axes import build_axes
from optadvise.rewriters.loops.facts import gather_facts
from optadvise.rewriters.loops.statements import Nest
from optadvise.rewriters.loops.values import V

COMPREHENSIONS = (cst.ListComp, cst.GeneratorExp)
ARRAY_OF = ("numpy.array", "numpy.asarray")


def comprehension_at(tree: Tree, lineno: int, col: int) -> cst.ListComp | cst.GeneratorExp | None:
    """The comprehension starting at `lineno` (the one at `col` when several do)."""
    found = [n for n in tree.walk(tree.module) if isinstance(n, COMPREHENSIONS) and tree.line(n) == lineno]
    exact = [n for n in found if tree.pos[n].start.column == col]
    best = exact or found
    return best[0] if best else None


def element_values(tree: Tree, comp: cst.ListComp | cst.GeneratorExp, finding: Finding,
                   profile: Profile | None, np: str) -> tuple[V, Nest]:
    """The whole-array value of the comprehension's element expression (one axis)."""
    if len(comp.for_in.ifs) or comp.for_in.inner_for_in is not None or comp.for_in.asynchronous:
        raise Decline("comprehension with a filter or several `for` clauses")
    scope = tree.scope_of(comp)
    names = {n.value for n in tree.walk(comp) if isinstance(n, cst.Name)}
    facts = gather_facts(tree, scope, finding, profile, names)
    nest = Nest(tree, np, facts, [], {}, tree.stores(comp.for_in.target), loop_stmt=tree.statement_of(comp))
    header = cst.For(target=comp.for_in.target, iter=comp.for_in.iter, body=cst.IndentedBlock(body=[]))
    build_axes(tree, scope, [header], nest)
    if nest.requires:
        raise Decline(f"the range() start needs a run-time check ({nest.requires[0]})")
    v = nest.expr(comp.elt)
    if v.axes != frozenset({0}) or not v.exact:
        raise Decline("the element does not vary with the comprehension's variable")
    return v, nest


def array_uses_only(tree: Tree, scope: cst.CSTNode, name: str, stmt: cst.CSTNode) -> bool:
    """Every read of `name` in scope after `stmt` iterates it, or passes it to np.array/asarray/len,
    and `stmt` is its only binding: an ndarray then reads the same as the list."""
    root = scope if isinstance(scope, cst.Module) else scope.body  # type: ignore[attr-defined]
    for n in tree.name_nodes(root, name):
        if tree.inside(n, stmt):
            continue
        p = tree.parent.get(n)
        if isinstance(p, (cst.CompFor, cst.For)) and p.iter is n:
            continue
        if isinstance(p, cst.Arg) and p.keyword is None and not p.star:
            call = tree.parent.get(p)
            if isinstance(call, cst.Call) and len(call.args) == 1 and \
                    (tree.resolve(call.func) in ARRAY_OF or tree.resolve(call.func) == "len"):
                continue
        return False
    return True


def replacement(tree: Tree, comp: cst.ListComp | cst.GeneratorExp, finding: Finding,
                profile: Profile | None, np: str) -> tuple[cst.CSTNode, str, bool]:
    """(node to replace, its whole-array code, whether it is a reduction)."""
    v, nest = element_values(tree, comp, finding, profile, np)
    parent = tree.parent.get(comp)
    call = tree.parent.get(parent) if isinstance(parent, cst.Arg) and parent.keyword is None \
        and not parent.star else None
    if isinstance(call, cst.Call) and len(call.args) == 1:
        fn = tree.resolve(call.func)
        if fn == "sum":
            if v.kind not in ("np", "py"):
                raise Decline("sum of Python ints or values of unknown type (int64 would overflow)")
            if v.kind == "np":
                nest.sum_types(v.dtypes)
            red = f"{np}.sum({v.code})"
            return call, red if v.kind == "np" else f"float({red})", True
        if fn in ARRAY_OF and isinstance(comp, cst.ListComp):
            if v.kind not in ("np", "py"):
                raise Decline("an array of values of unknown type")
            return comp, v.code, False
    if not isinstance(comp, cst.ListComp):
        raise Decline("a generator consumed by something other than sum()")
    if v.kind == "py":
        return comp, f"{v.wrap(100)}.tolist()", False
    if v.kind != "np":
        raise Decline("list elements of unknown scalar type")
    stmt = tree.statement_of(comp)
    small = stmt.body[0] if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 else None
    if isinstance(small, cst.Assign) and small.value is comp and len(small.targets) == 1 \
            and isinstance(small.targets[0].target, cst.Name) \
            and array_uses_only(tree, tree.scope_of(comp), small.targets[0].target.value, stmt):
        return comp, v.code, False
    return comp, f"list({v.code})", False
