"""Small helper functions called in a loop body, translated in place: a function of the same file whose
body is one `return expression` (after an optional docstring), with plain positional parameters,
is the expression with its parameters bound to the call's arguments (`potential(r)` in a pair loop).
A helper whose free names the caller binds itself, or one nested too deep, declines.
"""

from __future__ import annotations

import libcst as cst

from optadvise.rewriters.base import Decline
from optadvise.rewriters.cst import Tree
from optadvise.rewriters.loops.contraction import Contractions
from optadvise.rewriters.loops.values import V

MAX_DEPTH = 3  # helpers calling helpers


def one_expression_helper(tree: Tree, call: cst.Call) -> tuple[list[str], cst.BaseExpression] | None:
    """(parameters, returned expression) of the module function `call` calls, when it is that simple."""
    if not isinstance(call.func, cst.Name):
        return None
    name = call.func.value
    defs = [s for s in tree.module.body if isinstance(s, cst.FunctionDef) and s.name.value == name]
    if len(defs) != 1 or defs[0].decorators or defs[0].asynchronous is not None:
        return None
    fn = defs[0]
    ps = fn.params
    if ps.posonly_params or ps.kwonly_params or ps.star_kwarg is not None \
            or not isinstance(ps.star_arg, cst.MaybeSentinel) or any(p.default is not None for p in ps.params):
        return None
    body = list(fn.body.body) if isinstance(fn.body, cst.IndentedBlock) else []
    if body and isinstance(body[0], cst.SimpleStatementLine) and len(body[0].body) == 1 \
            and isinstance(body[0].body[0], cst.Expr) and isinstance(body[0].body[0].value, cst.SimpleString):
        body = body[1:]  # the docstring
    if len(body) != 1 or not isinstance(body[0], cst.SimpleStatementLine) or len(body[0].body) != 1:
        return None
    ret = body[0].body[0]
    if not isinstance(ret, cst.Return) or ret.value is None:
        return None
    return [p.name.value for p in ps.params], ret.value


def free_names(tree: Tree, node: cst.CSTNode) -> set[str]:
    """The variable names `node` reads (not attribute names or keywords)."""
    out = set()
    for n in tree.walk(node):
        p = tree.parent.get(n)
        if isinstance(n, cst.Name) and not (isinstance(p, cst.Attribute) and p.attr is n) \
                and not (isinstance(p, cst.Arg) and p.keyword is n):
            out.add(n.value)
    return out


class Inlined(Contractions):
    """The helper-inlining layer of a loop-nest translation."""

    inline_depth: int = 0

    def check_pure(self, call: cst.Call) -> None:
        found = one_expression_helper(self.tree, call)
        if found is None:
            return super().check_pure(call)
        if self.inline_depth >= MAX_DEPTH:
            raise Decline(f"helper `{self.code(call.func)}` calls helpers too deeply")
        params, body = found
        clash = free_names(self.tree, body) - set(params) - {self.code(call.func)}
        if clash & self.assigned:
            raise Decline(f"helper `{self.code(call.func)}` reads `{sorted(clash & self.assigned)[0]}`, "
                          "which the loop rebinds")
        self.inline_depth += 1
        try:
            for n in self.tree.walk(body):
                if isinstance(n, cst.Call):
                    self.check_pure(n)
        finally:
            self.inline_depth -= 1

    def call(self, node: cst.Call) -> V:
        found = one_expression_helper(self.tree, node)
        if found is None:
            return super().call(node)
        params, body = found
        if len(node.args) != len(params) or any(a.keyword is not None or a.star for a in node.args):
            raise Decline(f"call of the helper `{self.code(node.func)}` with keyword, starred or missing arguments")
        if self.inline_depth >= MAX_DEPTH:
            raise Decline(f"helper `{self.code(node.func)}` calls helpers too deeply")
        free = free_names(self.tree, body) - set(params)
        assert self.loop_stmt is not None
        scope = self.tree.scope_of(self.loop_stmt)
        local = self.assigned | (self.tree.stores(scope) if isinstance(scope, cst.FunctionDef) else set())
        if free & (local | set(self.env)):
            raise Decline(f"helper `{self.code(node.func)}` reads `{sorted(free & (local | set(self.env)))[0]}`, "
                          "a name the loop's own scope binds")
        args = [self.expr(a.value) for a in node.args]
        saved_env, saved_assigned = dict(self.env), self.assigned
        self.assigned = self.assigned | set(params)  # the parameters vary: never kept as written
        self.inline_depth += 1
        try:
            self.env.update(zip(params, args))
            return self.expr(body)
        finally:
            self.inline_depth -= 1
            self.env, self.assigned = saved_env, saved_assigned
