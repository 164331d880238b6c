"""The script's own call graph, for following a value across functions: who calls a module-level
function, which names hold a call's result, which parameter an argument binds, where a function
returns a value, and the uses of a name in one scope (not in nested functions that bind it again).

Only functions defined at the top of the script are followed; anything else (library calls, methods,
functions passed around) is reported through `Decline` with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from optadvise.rewriters.base import Decline
from optadvise.rewriters.cst.tree import Scope, Tree


@dataclass(frozen=True)
class Holder:
    """A name holding the followed value in a scope, bound by `statement`."""

    scope: Scope
    name: str
    statement: cst.BaseStatement


def callers(tree: Tree, fname: str) -> list[cst.Call]:
    """Every call of the module-level function `fname`; Decline when it is referenced otherwise."""
    fn = tree.module_functions()[fname]
    out = []
    for n in tree.name_nodes(tree.module, fname):
        p = tree.parent.get(n)
        if isinstance(p, cst.Call) and p.func is n:
            if tree.inside(n, fn):
                raise Decline(f"`{fname}` calls itself at line {tree.line(n)}; recursion is not followed")
            out.append(p)
            continue
        raise Decline(f"`{fname}` is passed around at line {tree.line(n)}; its callers are not followed")
    return out


def enclosing_function(tree: Tree, node: cst.CSTNode) -> cst.FunctionDef | None:
    """The module-level function whose body holds node (None at the top level)."""
    top = tree.top_statement_in(node, tree.module)
    return top if isinstance(top, cst.FunctionDef) else None


def result_holder(tree: Tree, call: cst.Call, index: int | None) -> Holder:
    """The name bound to a call's result (`x = f()`), or to element `index` of it (`a, b = f()`)."""
    p = tree.parent.get(call)
    where = f"line {tree.line(call)}"
    if not (isinstance(p, cst.Assign) and p.value is call and len(p.targets) == 1):
        raise Decline(f"the result of `{tree.code(call.func)}` at {where} is not bound to a name")
    target = p.targets[0].target
    if index is None and isinstance(target, cst.Name):
        name = target.value
    elif index is not None and isinstance(target, (cst.Tuple, cst.List)) and index < len(target.elements) \
            and all(isinstance(e, cst.Element) and isinstance(e.value, cst.Name) for e in target.elements):
        name = target.elements[index].value.value  # type: ignore[attr-defined]
    else:
        raise Decline(f"the result of `{tree.code(call.func)}` at {where} is unpacked in a way not followed")
    return Holder(tree.scope_of(call), name, tree.statement_of(call))


def returned_at(tree: Tree, fn: cst.FunctionDef, node: cst.CSTNode) -> int | None:
    """None when `node` is returned whole (`return x`), k when it is element k of `return a, b`."""
    p = tree.parent.get(node)
    if isinstance(p, cst.Return):
        return None
    if isinstance(p, cst.Element) and isinstance(tree.parent.get(p), cst.Tuple):
        tup = tree.parent[p]
        if isinstance(tree.parent.get(tup), cst.Return):
            return list(tup.elements).index(p)  # type: ignore[attr-defined]
    raise Decline(f"`{tree.code(node)}` at line {tree.line(node)} is not returned as a plain value")


def parameter(fn: cst.FunctionDef, call: cst.Call, arg: cst.Arg) -> str:
    """The parameter of `fn` that positional argument `arg` of `call` binds; Decline on *args."""
    if any(a.star for a in call.args) or isinstance(fn.params.star_arg, cst.Param):
        raise Decline(f"`{fn.name.value}` is called with or takes *args; the argument is not followed")
    params = [*fn.params.posonly_params, *fn.params.params]
    if arg.keyword is not None:
        names = [p.name.value for p in [*params, *fn.params.kwonly_params]]
        if arg.keyword.value in names:
            return arg.keyword.value
        raise Decline(f"`{fn.name.value}` has no parameter `{arg.keyword.value}`")
    k = [a for a in call.args if a.keyword is None].index(arg)
    if k >= len(params):
        raise Decline(f"`{fn.name.value}` takes fewer positional parameters than it is given")
    return params[k].name.value


def argument(tree: Tree, fn: cst.FunctionDef, call: cst.Call, param: str) -> cst.BaseExpression:
    """The expression `call` passes for parameter `param` of `fn`; Decline when it passes none."""
    for a in call.args:
        if not a.star and parameter(fn, call, a) == param:
            return a.value
    raise Decline(f"the call of `{fn.name.value}` at line {tree.line(call)} passes no `{param}`")


def names_in(tree: Tree, scope: Scope, name: str) -> list[cst.Name]:
    """Uses of `name` in `scope` (not the parameter itself); Decline when a nested function or class
    refers to the same variable."""
    out = []
    for n in tree.name_nodes(scope, name):
        if isinstance(tree.parent.get(n), cst.Param):
            continue
        inner = next((a for a in tree.ancestors(n) if isinstance(a, (cst.FunctionDef, cst.Lambda, cst.ClassDef))
                      or a is scope), scope)
        if inner is scope:
            out.append(n)
        elif not (isinstance(inner, cst.FunctionDef) and name in tree.stores(inner)):
            raise Decline(f"`{name}` is used inside a nested function or class at line {tree.line(n)}; "
                          "not followed")
    return out
