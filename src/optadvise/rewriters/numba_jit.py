"""Rewriter `numba`: compile the function holding a hot loop (and the module functions it calls) with
`@numba.njit(cache=True)`; when the loop machinery (`rewriters/loops`) proves the loop's iterations
independent, also offer a `parallel=True` + `numba.prange` variant.

Before proposing, the new functions are compiled in nopython mode in a scratch namespace for the
argument types the profile observed (arrays) and the call sites show (literal scalars); a typing
failure declines with Numba's reason. Methods, nested/decorated/generator functions, *args, f-strings,
try/with blocks and random generators are declined without trying.
"""

from __future__ import annotations

import warnings

import libcst as cst

from optadvise import examples as ex
from optadvise.model import Candidate, Finding, Profile
from optadvise.rewriters import register
from optadvise.rewriters.base import Decline, Rewriter
from optadvise.rewriters.cst import Edits, Tree, candidate, expr, finish
from optadvise.rewriters.loops.site import loop_at, module_name, qualname
from optadvise.rewriters.loops.translate import translate

SCRATCH_IMPORTS = {"numpy", "math", "numba", "cmath"}
BAD_NODES = (cst.FormattedString, cst.Try, cst.With, cst.Yield, cst.Global, cst.Nonlocal, cst.Lambda,
             cst.ClassDef, cst.Await, cst.DictComp, cst.SetComp, cst.Dict, cst.Set, cst.Raise)
BAD_CALLS = {"numpy.random.default_rng", "open", "input", "eval", "exec", "getattr", "setattr", "isinstance"}


def check_function(tree: Tree, fn: cst.FunctionDef) -> None:
    name = fn.name.value
    if any(isinstance(a, (cst.FunctionDef, cst.ClassDef)) for a in tree.ancestors(fn)):
        raise Decline(f"`{name}` is a method or nested function")
    if fn.decorators:
        raise Decline(f"`{name}` is already decorated")
    if fn.asynchronous is not None:
        raise Decline(f"`{name}` is async")
    p = fn.params
    if isinstance(p.star_arg, cst.Param) or p.star_kwarg is not None or p.kwonly_params or p.posonly_params:
        raise Decline(f"`{name}` takes *args/**kwargs or keyword-only parameters")
    for n in tree.walk(fn.body):
        if isinstance(n, BAD_NODES):
            raise Decline(f"`{name}` uses {type(n).__name__}, which nopython mode does not compile")
        if isinstance(n, cst.FunctionDef):
            raise Decline(f"`{name}` defines a nested function")
        if isinstance(n, cst.Call):
            f = tree.resolve(n.func) or ""
            if f in BAD_CALLS or f.startswith("numpy.random.Generator"):
                raise Decline(f"`{name}` calls `{f}`, which numba cannot type here")


def callees(tree: Tree, fn: cst.FunctionDef) -> list[cst.FunctionDef]:
    """Module-level functions `fn` calls, transitively (the ones that must be jitted too)."""
    funcs = tree.module_functions()
    out: list[cst.FunctionDef] = []
    todo = [fn]
    while todo:
        f = todo.pop()
        for n in tree.walk(f.body):
            if isinstance(n, cst.Call) and isinstance(n.func, cst.Name) and n.func.value in funcs:
                g = funcs[n.func.value]
                if g is not fn and g not in out:
                    out.append(g)
                    todo.append(g)
    return out


def literal_type(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        node = node.expression
    if isinstance(node, cst.Integer):
        return "int64"
    if isinstance(node, cst.Float):
        return "float64"
    if isinstance(node, cst.Name) and node.value in ("True", "False"):
        return "boolean"
    return None


def arg_types(tree: Tree, fn: cst.FunctionDef, finding: Finding, profile: Profile | None) -> list | None:
    """Numba types for fn's parameters from the profile (arrays) and literal call-site/default values."""
    import numba
    import numpy as np

    qn = qualname(tree, fn)
    seen: dict[str, object] = {}
    ev = finding.evidence.get("arrays") if isinstance(finding.evidence, dict) else None
    for k, v in (ev or {}).items():
        if isinstance(v, dict) and "shape" in v:
            seen[k] = numba.typeof(np.empty((1,) * len(v["shape"]), dtype=v.get("dtype") or "float64"))
    for a in (profile.arrays if profile else []):
        if a.function == qn and a.is_argument:
            if a.kind not in ("ndarray", "memmap"):
                raise Decline(f"argument `{a.name}` is a Python {a.kind}; numba would need an array")
            seen[a.name] = numba.typeof(np.empty((1,) * len(a.shape), dtype=a.dtype or "float64"))
    params = list(fn.params.params)
    calls = [n for n in tree.walk(tree.module) if isinstance(n, cst.Call) and isinstance(n.func, cst.Name)
             and n.func.value == fn.name.value]
    types = []
    for i, p in enumerate(params):
        name = p.name.value
        if name in seen:
            types.append(seen[name])
            continue
        lits = {literal_type(c.args[i].value) for c in calls if i < len(c.args) and c.args[i].keyword is None}
        if p.default is not None:
            lits.add(literal_type(p.default))
        if len(lits) != 1 or None in lits:
            return None
        types.append(getattr(numba.types, lits.pop()))
    return types


def compile_check(tree: Tree, fn: cst.FunctionDef, others: list[cst.FunctionDef], types: list,
                  parallel_loop: cst.For | None) -> None:
    """Compile the functions with numba in a scratch namespace; Decline with numba's reason."""
    import numba

    lines = []
    for s in tree.module.body:
        if isinstance(s, cst.SimpleStatementLine) and all(isinstance(x, (cst.Import, cst.ImportFrom)) for x in s.body):
            code = tree.code(s)
            if all(isinstance(x, cst.Import) for x in s.body):
                tops = {str(a.name.value if isinstance(a.name, cst.Name) else tree.code(a.name)).split(".")[0]
                        for x in s.body for a in x.names}  # type: ignore[union-attr]
            else:
                tops = {tree.code(x.module).split(".")[0] for x in s.body if x.module is not None}  # type: ignore
            if tops <= SCRATCH_IMPORTS:
                lines.append(code)
        elif isinstance(s, cst.SimpleStatementLine) and len(s.body) == 1 and isinstance(s.body[0], cst.Assign) \
                and all(isinstance(n, (cst.Integer, cst.Float, cst.Name, cst.AssignTarget, cst.Assign,
                                       cst.UnaryOperation, cst.Minus, cst.Tuple, cst.Element, cst.Comma,
                                       cst.ParenthesizedWhitespace, cst.SimpleWhitespace))
                        for n in tree.walk(s.body[0])):
            lines.append(tree.code(s))
    for f in [*others, fn]:
        body = tree.code(f.with_changes(decorators=[], leading_lines=[]))
        if f is fn and parallel_loop is not None:
            body = body.replace(tree.code(parallel_loop.iter), "numba.prange" + tree.code(parallel_loop.iter)[5:], 1)
        lines.append(body)
    ns: dict[str, object] = {"__name__": "__optadvise_scratch__", "numba": numba}
    try:
        exec(compile("\n".join(lines), "<numba-scratch>", "exec"), ns)
        for f in others:
            ns[f.name.value] = numba.njit(ns[f.name.value])
        jit = numba.njit(parallel=parallel_loop is not None)(ns[fn.name.value])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            jit.compile(tuple(types))
    except Exception as e:  # numba's TypingError/UnsupportedError and anything the scratch run raised
        first = next((ln.strip() for ln in str(e).splitlines() if ln.strip()), type(e).__name__)
        raise Decline(f"numba cannot compile `{fn.name.value}` in nopython mode: {first[:160]}") from None


def independent(tree: Tree, loop: cst.CSTNode, scope: cst.CSTNode, finding: Finding,
                profile: Profile | None) -> bool:
    """The loop translates to whole-array code and its iterations are proved independent (no
    reductions or appends)."""
    if not (isinstance(loop, cst.For) and isinstance(loop.iter, cst.Call) and tree.resolve(loop.iter.func) == "range"):
        return False
    try:
        _, verdict = translate(tree, scope, [loop], finding, profile, module_name(tree, "numpy")[0])
    except Decline:
        return False
    return verdict.kind == "independent"


@register
class NumbaJit(Rewriter):
    """`@numba.njit(cache=True)` on the function holding the loop (and its module-level callees)."""

    kind = "numba"
    EXAMPLES = (
        ex.Rewrite(rule="loop-over-ndarray", before="""\
import numpy as np


def final_states(rates, steps):
    out = np.empty_like(rates)
    for k in range(rates.shape[0]):  # <-
        x = 0.5
        r = rates[k]
        for _ in range(steps):
            x = r * x * (1.0 - x)
        out[k] = x
    return out
""", after="""\
import numpy as np
import numba


@numba.njit(cache=True)
def final_states(rates, steps):
    out = np.empty_like(rates)
    for k in range(rates.shape[0]):  # <-
        x = 0.5
        r = rates[k]
        for _ in range(steps):
            x = r * x * (1.0 - x)
        out[k] = x
    return out
"""),
        ex.Rewrite(rule="loop-over-ndarray", before="""\
import numpy as np


def running_total(a):
    c = np.empty_like(a)
    c[0] = a[0]
    for i in range(1, a.shape[0]):  # <-
        c[i] = c[i - 1] + a[i]
    return c
""", after="""\
import numpy as np
import numba


@numba.njit(cache=True)
def running_total(a):
    c = np.empty_like(a)
    c[0] = a[0]
    for i in range(1, a.shape[0]):  # <-
        c[i] = c[i - 1] + a[i]
    return c
"""),
        ex.Rewrite(rule="loop-over-ndarray", before="""\
import numpy as np


def squares(a):
    out = np.empty_like(a)
    for i in range(a.shape[0]):  # <-
        out[i] = a[i] * a[i]
    return out
""", after="""\
import numpy as np
import numba


@numba.njit(cache=True)
def squares(a):
    out = np.empty_like(a)
    for i in range(a.shape[0]):  # <-
        out[i] = a[i] * a[i]
    return out
"""),
        ex.Decline(rule="loop-over-ndarray", before="""\
import numpy as np

a = np.linspace(0.0, 1.0, 1000)
c = np.zeros_like(a)
for i in range(1, len(a)):  # <-
    c[i] = c[i - 1] + a[i]
""", reason="the loop is at module level"),
        ex.Decline(rule="loop-over-ndarray", before="""\
import numpy as np


class Walker:
    def walk(self, a):
        for i in range(1, len(a)):  # <-
            a[i] = a[i - 1] + a[i]
""", reason="is a method or nested function"),
        ex.Decline(rule="loop-over-ndarray", before="""\
import numpy as np


def report(a):
    for i in range(len(a)):  # <-
        a[i] = a[i] * 2.0
    return f"{a[0]}"
""", reason="which nopython mode does not compile"),
    )

    def propose(self, source: str, finding: Finding, profile: Profile | None) -> list[Candidate]:
        tree = Tree(source)
        loop = loop_at(tree, finding.lineno)
        scope = tree.scope_of(loop)
        if not isinstance(scope, cst.FunctionDef):
            raise Decline("the loop is at module level; numba compiles functions")
        check_function(tree, scope)
        others = [g for g in callees(tree, scope) if not g.decorators]
        for g in others:
            check_function(tree, g)
        types = arg_types(tree, scope, finding, profile)
        nb, imports = module_name(tree, "numba")
        variants: list[cst.For | None] = [None]
        if independent(tree, loop, scope, finding, profile):
            variants.append(loop)  # type: ignore[arg-type]
        out = []
        for par in variants:
            checked = types is not None
            if checked:
                compile_check(tree, scope, others, types, par)  # type: ignore[arg-type]
            edits = Edits()
            deco = f"{nb}.njit(cache=True, parallel=True)" if par is not None else f"{nb}.njit(cache=True)"
            for f in [scope, *others]:
                d = deco if f is scope else f"{nb}.njit(cache=True)"
                edits.replace[id(f)] = (lambda d: lambda up: up.with_changes(
                    decorators=[cst.Decorator(decorator=expr(d, tree)), *up.decorators]))(d)  # noqa: B023 - bound by the outer lambda
            if par is not None:
                edits.replace[id(par.iter.func)] = expr(f"{nb}.prange", tree)  # type: ignore[union-attr]
            new = finish(tree, edits, imports)
            names = ", ".join(f"`{f.name.value}`" for f in [scope, *others])
            what = "parallel (prange) " if par is not None else ""
            note = ("compiled in nopython mode for the observed argument types" if checked
                    else "argument types unknown: not compile-checked before verification")
            out.append(candidate(self.kind, finding, source, new, f"{what}numba.njit on {names}",
                                 1e-9, note + "; first call includes JIT compile time"))
        return out
