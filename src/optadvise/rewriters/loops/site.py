"""Where a loop sits: the loop at a finding's line, its scope's name, the names read around it,
the assignment just before it, and the local name a module is imported under.
"""

from __future__ import annotations

import libcst as cst
import libcst.matchers as m
from libcst.metadata import ExpressionContext, ExpressionContextProvider

from optadvise.model import MODULE
from optadvise.rewriters.base import Decline
from optadvise.rewriters.cst import Tree

LOOPS = (cst.For, cst.While)


def loop_at(tree: Tree, lineno: int) -> cst.For | cst.While:
    """The loop statement whose first line is `lineno`."""
    for n in tree.walk(tree.module):
        if isinstance(n, LOOPS) and tree.line(n) == lineno:
            return n
    raise Decline(f"no for/while loop starts at line {lineno}")


def qualname(tree: Tree, node: cst.CSTNode) -> str:
    """The dotted function/class name `node` is defined in (or is), MODULE at module level."""
    parts = [a.name.value for a in tree.ancestors(node) if isinstance(a, (cst.FunctionDef, cst.ClassDef))]
    if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
        parts.insert(0, node.name.value)
    return ".".join(reversed(parts)) or MODULE


def module_name(tree: Tree, module: str) -> tuple[str, list[tuple[str, str | None]]]:
    """The local name `module` is imported under, and the import to add when it is not imported."""
    for local, full in tree.aliases.items():
        if full == module:
            return local, []
    return module, [(module, None)]


def read_outside(tree: Tree, scope: cst.CSTNode, region: cst.CSTNode) -> set[str]:
    """Names read (Load context, or augmented-assignment targets) anywhere in `scope` (the whole
    module for module level) outside `region`, except reads in the body of a loop that binds them."""
    ctx = tree.wrapper.resolve(ExpressionContextProvider)
    root = tree.module if isinstance(scope, cst.Module) else scope
    out = set()
    for n in tree.walk(root):
        if isinstance(n, cst.Name) and ctx.get(n) == ExpressionContext.LOAD:
            read = n
        elif m.matches(n, m.AugAssign(target=m.Name())):
            read = n.target  # type: ignore[attr-defined]
        else:
            continue
        if not tree.inside(read, region) and not rebound_around(tree, read, region):
            out.add(read.value)
    return out


def rebound_around(tree: Tree, read: cst.Name, region: cst.CSTNode) -> bool:
    """`read` sits in the body of a later loop or in a comprehension whose targets rebind the name, so
    it reads that binding, never the value `region` left (a read after such a loop still counts: an
    empty loop leaves the old value)."""
    child: cst.CSTNode = read
    for a in tree.ancestors(read):
        if a is region:
            return False
        if isinstance(a, (cst.ListComp, cst.GeneratorExp, cst.SetComp, cst.DictComp)) \
                and not tree.inside(read, a.for_in.iter) and read.value in _comp_targets(a.for_in):
            return True
        if isinstance(a, cst.For) and child is a.body and read.value in bound_names(a.target):
            return True
        child = a
    return False


def _comp_targets(clause: cst.CompFor | None) -> set[str]:
    out: set[str] = set()
    while clause is not None:
        out.update(bound_names(clause.target))
        clause = clause.inner_for_in
    return out


def bindings(tree: Tree, root: cst.CSTNode, name: str) -> list[cst.Name]:
    """The Name nodes under root that bind `name`."""
    ctx = tree.wrapper.resolve(ExpressionContextProvider)
    return [n for n in tree.name_nodes(root, name) if ctx.get(n) == ExpressionContext.STORE]


def bound_names(target: cst.CSTNode) -> list[str]:
    """Names a target binds (not names merely used inside a subscript or attribute target)."""
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [n for e in target.elements for n in bound_names(e.value)]
    if isinstance(target, cst.StarredElement):
        return bound_names(target.value)
    return []


def last_assignment_before(tree: Tree, stmt: cst.BaseStatement, name: str) -> cst.BaseExpression | None:
    """The value of the nearest preceding sibling `name = value`, if no statement in between mentions
    `name` at all (so nothing can have aliased or rebound it); else None."""
    block = tree.parent.get(stmt)
    body = list(block.body) if isinstance(block, (cst.Module, cst.IndentedBlock)) else []
    if stmt not in body:
        return None
    for s in reversed(body[: body.index(stmt)]):
        if m.matches(s, m.SimpleStatementLine(body=[m.Assign(targets=[m.AssignTarget(target=m.Name(name))])])):
            return s.body[0].value  # type: ignore[attr-defined]
        if tree.name_nodes(s, name):
            return None
    return None
