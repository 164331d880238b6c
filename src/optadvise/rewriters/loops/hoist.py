"""Hoisting a module-level loop into a function the module calls (what Numba needs, since it compiles
functions only): the names the function takes (read in the loop, bound at module level outside it),
the names it gives back (written in the loop, read anywhere else), the new `def`, and the call and
assignment that replace the loop. Declines what a compiled function could not keep: `del`, `global`,
`nonlocal`, nested definitions, `print`, and names the profile or the module shows are Python
containers (lists, dicts, sets, strings).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import ExpressionContext, ExpressionContextProvider

from optadvise.model import MODULE, Profile
from optadvise.rewriters.base import Decline
from optadvise.rewriters.cst import Tree, expr, stmt
from optadvise.rewriters.loops.site import read_outside

UNSUPPORTED = {cst.Del: "`del`", cst.Global: "`global`", cst.Nonlocal: "`nonlocal`",
               cst.FunctionDef: "a nested `def`", cst.ClassDef: "a class", cst.Lambda: "a lambda"}
CONTAINERS = (cst.List, cst.Dict, cst.Set, cst.ListComp, cst.DictComp, cst.SetComp, cst.SimpleString,
              cst.ConcatenatedString, cst.FormattedString)
CONTAINER_CALLS = {"list", "dict", "set", "str", "tuple"}
Contexts = Mapping[cst.CSTNode, ExpressionContext]
COMPS = (cst.ListComp, cst.GeneratorExp, cst.SetComp, cst.DictComp)


@dataclass
class Hoist:
    """A module-level loop as a function: `params` in, `returns` out, the `anchor` (the module-level
    statement holding the loop) before which the `def` goes."""

    name: str
    loop: cst.For | cst.While
    params: list[str]
    returns: list[str]
    anchor: cst.BaseStatement

    def function(self, tree: Tree, decorator: str, loop: cst.For | cst.While | None = None) -> cst.FunctionDef:
        """The `def` holding `loop` (default: the original loop) and returning `returns`."""
        body: list[cst.BaseStatement] = [(loop or self.loop).with_changes(leading_lines=[])]
        if self.returns:
            body.append(stmt(f"return {', '.join(self.returns)}", tree))
        return cst.FunctionDef(
            name=cst.Name(self.name), body=cst.IndentedBlock(body=body),
            params=cst.Parameters(params=[cst.Param(cst.Name(p)) for p in self.params]),
            decorators=[cst.Decorator(decorator=expr(decorator, tree))],
            leading_lines=[cst.EmptyLine(), cst.EmptyLine()])

    def call(self, tree: Tree) -> cst.BaseStatement:
        """`a, b = name(params)` (or the bare call when nothing is read later), keeping the loop's comments."""
        target = f"{', '.join(self.returns)} = " if self.returns else ""
        call = stmt(f"{target}{self.name}({', '.join(self.params)})", tree)
        if self.anchor is not self.loop:
            return call.with_changes(leading_lines=self.loop.leading_lines)
        comments = [ln for ln in self.loop.leading_lines if ln.comment is not None]
        return call.with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine(), *comments])


def hoist(tree: Tree, loop: cst.For | cst.While, name: str, profile: Profile | None) -> Hoist:
    """What hoisting `loop` (at module level) into a function called `name` takes and gives back."""
    for n in tree.walk(loop):
        for kind, what in UNSUPPORTED.items():
            if isinstance(n, kind):
                raise Decline(f"the module-level loop uses {what}; it cannot move into a compiled function")
        if isinstance(n, cst.Call) and tree.resolve(n.func) == "print":
            raise Decline("the module-level loop prints; compiled code formats numbers differently")
    anchor = tree.top_statement_in(loop, tree.module)
    if anchor is None:
        raise Decline("the loop is not in module-level code")
    ctx = tree.wrapper.resolve(ExpressionContextProvider)
    variables = module_variables(tree, ctx, before=tree.line(loop))
    reads, writes = loop_names(tree, loop, ctx)
    params = [n for n in reads if n in variables]
    for p in params:
        container_check(tree, p, variables[p], profile)
    later = read_outside(tree, tree.module, loop)
    returns = [n for n in writes if n in later]
    return Hoist(name, loop, params, returns, anchor)


def module_variables(tree: Tree, ctx: Contexts, before: int | None = None) -> dict[str, list[cst.CSTNode]]:
    """Names bound by module-level code (before line `before` if given; not defs, classes or imports),
    each with the values assigned to it (the assignment's value, or the binding node when there is none)."""
    out: dict[str, list[cst.CSTNode]] = {}
    for n in tree.walk(tree.module):
        if not (isinstance(n, cst.Name) and ctx.get(n) == ExpressionContext.STORE) \
                or (before is not None and tree.line(n) >= before) \
                or tree.nested_scope(n, tree.module) or any(isinstance(a, COMPS) for a in tree.ancestors(n)):
            continue
        parent = tree.parent.get(n)
        if isinstance(parent, (cst.FunctionDef, cst.ClassDef, cst.AsName)):
            continue
        value: cst.CSTNode = n
        for a in tree.ancestors(n):
            if isinstance(a, (cst.Assign, cst.AnnAssign, cst.AugAssign)):
                value = a.value if a.value is not None else n
                break
            if isinstance(a, cst.BaseStatement):
                break
        out.setdefault(n.value, []).append(value)
    return out


def loop_names(tree: Tree, loop: cst.CSTNode, ctx: Contexts) -> tuple[list[str], list[str]]:
    """Names read in the loop and names it binds, each in order of first appearance."""
    reads: list[str] = []
    writes: list[str] = []
    for n in tree.walk(loop):
        if isinstance(n, cst.AugAssign) and isinstance(n.target, cst.Name) and n.target.value not in reads:
            reads.append(n.target.value)
        if not isinstance(n, cst.Name) or any(isinstance(a, COMPS) and ctx.get(n) == ExpressionContext.STORE
                                              for a in tree.ancestors(n)):
            continue
        kind = ctx.get(n)
        if kind == ExpressionContext.LOAD and n.value not in reads:
            reads.append(n.value)
        elif kind == ExpressionContext.STORE and n.value not in writes:
            writes.append(n.value)
    return reads, writes


def container_check(tree: Tree, name: str, values: list[cst.CSTNode], profile: Profile | None) -> None:
    """Decline when `name` holds a Python container: the profile saw one, or the module builds one."""
    for a in (profile.arrays if profile else []):
        if a.name == name and a.function == MODULE and a.kind not in ("ndarray", "memmap"):
            raise Decline(f"`{name}` is a Python {a.kind}; numba would need an array")
    for v in values:
        call = v.func if isinstance(v, cst.Call) else None
        if isinstance(v, CONTAINERS) or (call is not None and tree.resolve(call) in CONTAINER_CALLS):
            raise Decline(f"`{name}` holds a Python {type(v).__name__ if call is None else tree.code(call)}, "
                          "which numba cannot type as an array")
