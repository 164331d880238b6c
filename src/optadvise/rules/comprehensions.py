"""Static finder of comprehensions and generator expressions that walk arrays element by element.

`[a + b for a, b in zip(A, B)]`, `sum(x * x for x in arr)` and `np.array([f(v) for v in arr])` are
the same hot loop as a `for` statement; `loop-over-ndarray` reports them through `comprehension_sites`.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from optadvise.model import MODULE
from optadvise.rules.index import ModuleIndex

COMPREHENSIONS = (ast.ListComp, ast.GeneratorExp)


@dataclass
class CompFacts:
    node: ast.ListComp | ast.GeneratorExp
    function: str
    iterated: list[str]  # names the comprehension walks (zip/enumerate arguments, or the iterable)
    arrays: set[str]  # names subscripted by the comprehension's index variable
    reduction: bool  # consumed by sum(...)


def _function_of(index: ModuleIndex, node: ast.AST) -> str:
    scopes = {id(s.node): s.name for s in index.scopes.values() if s.name != MODULE}
    cur = index.parents.get(node)
    while cur is not None:
        if id(cur) in scopes:
            return scopes[id(cur)]
        cur = index.parents.get(cur)
    return MODULE


def _walked(gen: ast.comprehension) -> tuple[list[str], set[str]]:
    """(names iterated, index variables) of one `for ... in ...` clause."""
    it = gen.iter
    if isinstance(it, ast.Name):
        return [it.id], set()
    if isinstance(it, ast.Call) and isinstance(it.func, ast.Name):
        names = [a.id for a in it.args if isinstance(a, ast.Name)]
        if it.func.id == "zip" and names and len(names) == len(it.args):
            return names, set()
        if it.func.id == "enumerate" and len(names) == 1 and isinstance(gen.target, ast.Tuple) \
                and gen.target.elts and isinstance(gen.target.elts[0], ast.Name):
            return names, {gen.target.elts[0].id}
        if it.func.id == "range" and isinstance(gen.target, ast.Name):
            return [], {gen.target.id}
    return [], set()


def comprehension_facts(index: ModuleIndex, node: ast.ListComp | ast.GeneratorExp) -> CompFacts | None:
    """What a one-clause comprehension walks, or None when it does not walk arrays or lists."""
    if len(node.generators) != 1 or node.generators[0].is_async:
        return None
    iterated, ivars = _walked(node.generators[0])
    arrays = {s.value.id for s in ast.walk(node.elt) if isinstance(s, ast.Subscript)
              and isinstance(s.value, ast.Name)
              and {n.id for n in ast.walk(s.slice) if isinstance(n, ast.Name)} & ivars}
    if not iterated and not arrays:
        return None
    parent = index.parents.get(node)
    reduction = isinstance(parent, ast.Call) and isinstance(parent.func, ast.Name) \
        and parent.func.id == "sum" and len(parent.args) == 1
    return CompFacts(node, _function_of(index, node), iterated, arrays, reduction)


def comprehension_sites(index: ModuleIndex, inside: set[int]) -> list[CompFacts]:
    """The comprehensions of the module that walk arrays, except those inside a loop in `inside`
    (ids of loop nodes already reported: the loop's finding covers them)."""
    covered = {id(n) for lp in index.loops if id(lp.node) in inside for n in ast.walk(lp.node)}
    return [f for node in ast.walk(index.tree) if isinstance(node, COMPREHENSIONS)
            and id(node) not in covered and (f := comprehension_facts(index, node)) is not None]
