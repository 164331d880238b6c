"""Rewriter `numba`: compile the function holding a hot loop (with the functions nested in it, and the
module functions it calls, transitively) with `@numba.njit(cache=True)`; a loop at module level is first
moved into a new function the module calls (`loops/hoist.py`). When the loop machinery
(`rewriters/loops`) proves the loop's iterations independent, also offer a `parallel=True` +
`numba.prange` variant.

Before proposing, the new functions are compiled in nopython mode in a scratch namespace for the
argument types the profile observed (arrays) and the call sites or module assignments show (literal
scalars); a typing failure declines with Numba's reason. Methods (`self` has no Numba type, so loops
over `self.x` stay with `vectorize`), functions defined inside another, decorated/generator functions,
nested functions used as values, recursive or with defaults, *args, f-strings, try/with blocks and
random generators are declined without trying.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import libcst as cst
from libcst.metadata import ExpressionContext, ExpressionContextProvider

from optadvise import examples as ex
from optadvise.model import MODULE, Candidate, Finding, Profile
from optadvise.rewriters import register
from optadvise.rewriters.base import Decline, Rewriter
from optadvise.rewriters.cst import Edits, Tree, candidate, expr, finish
from optadvise.rewriters.loops.hoist import Hoist, hoist, module_variables
from optadvise.rewriters.loops.site import loop_at, module_name, qualname
from optadvise.rewriters.loops.translate import translate

SCRATCH_IMPORTS = {"numpy", "math", "numba", "cmath"}
BAD_NODES = (cst.FormattedString, cst.Try, cst.With, cst.Yield, cst.Global, cst.Nonlocal, cst.Lambda,
             cst.ClassDef, cst.Await, cst.DictComp, cst.SetComp, cst.Dict, cst.Set, cst.Raise)
BAD_CALLS = {"numpy.random.default_rng", "open", "input", "eval", "exec", "getattr", "setattr", "isinstance"}


def check_function(tree: Tree, fn: cst.FunctionDef) -> None:
    name = fn.name.value
    owner = next((a for a in tree.ancestors(fn) if isinstance(a, (cst.FunctionDef, cst.ClassDef))), None)
    if isinstance(owner, cst.ClassDef):
        raise Decline(f"`{name}` is a method of `{owner.name.value}`: numba compiles plain functions, and "
                      "`self` has no numba type")
    if owner is not None:
        raise Decline(f"`{name}` is a nested function")
    check_signature(fn)
    check_body(tree, fn.body, f"`{name}`")
    check_globals(tree, fn)
    for inner in (n for n in tree.walk(fn.body) if isinstance(n, cst.FunctionDef)):
        check_signature(inner)
        check_local_calls(tree, fn, inner)


def check_signature(fn: cst.FunctionDef) -> None:
    name = fn.name.value
    if fn.decorators:
        raise Decline(f"`{name}` is already decorated")
    if fn.asynchronous is not None:
        raise Decline(f"`{name}` is async")
    p = fn.params
    if isinstance(p.star_arg, cst.Param) or p.star_kwarg is not None or p.kwonly_params or p.posonly_params:
        raise Decline(f"`{name}` takes *args/**kwargs or keyword-only parameters")


def check_local_calls(tree: Tree, fn: cst.FunctionDef, inner: cst.FunctionDef) -> None:
    """Numba compiles a nested function only when it is called where it is defined: never passed,
    returned or stored, never recursive, no default values."""
    name = inner.name.value
    if any(p.default is not None for p in inner.params.params):
        raise Decline(f"nested function `{name}` has default values; numba compiles only plain inner functions")
    for n in tree.name_nodes(fn.body, name):
        call = tree.parent.get(n)
        if not (isinstance(call, cst.Call) and call.func is n):
            raise Decline(f"nested function `{name}` is used as a value; numba compiles only local calls")
        if tree.inside(n, inner.body):
            raise Decline(f"nested function `{name}` is recursive")


def check_body(tree: Tree, root: cst.CSTNode, what: str) -> None:
    """Decline what nopython mode cannot compile in `root` (named `what` in the reason)."""
    for n in tree.walk(root):
        if isinstance(n, BAD_NODES):
            raise Decline(f"{what} uses {type(n).__name__}, which nopython mode does not compile")
        if isinstance(n, cst.Call):
            f = tree.resolve(n.func) or ""
            if f in BAD_CALLS or f.startswith("numpy.random.Generator"):
                raise Decline(f"{what} calls `{f}`, which numba cannot type here")


def check_globals(tree: Tree, fn: cst.FunctionDef) -> None:
    """Numba freezes the module variables a jitted function reads at its first compile: only numeric
    constants bound once may be read."""
    ctx = tree.wrapper.resolve(ExpressionContextProvider)
    variables = module_variables(tree, ctx)
    local = tree.stores(fn)
    for n in tree.walk(fn.body):
        if not (isinstance(n, cst.Name) and ctx.get(n) == ExpressionContext.LOAD and n.value in variables) \
                or n.value in local:
            continue
        values = variables[n.value]
        if len(values) != 1 or not isinstance(values[0], cst.BaseExpression) or literal_type(values[0]) is None:
            raise Decline(f"`{fn.name.value}` reads the module variable `{n.value}`, which numba would freeze "
                          "at its first compile")


def callees(tree: Tree, fn: cst.FunctionDef | cst.For | cst.While) -> list[cst.FunctionDef]:
    """Module-level functions `fn` (or a module-level loop) calls, transitively (the ones that must be
    jitted too)."""
    funcs = tree.module_functions()
    out: list[cst.FunctionDef] = []
    todo: list[cst.CSTNode] = [fn]
    while todo:
        f = todo.pop()
        for n in tree.walk(f.body if isinstance(f, cst.FunctionDef) else f):
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
        t = scalar_type(lits)
        if t is None:
            return None
        types.append(t)
    return types


def scalar_type(kinds: set[str | None]) -> object | None:
    """The numba type of a scalar whose literal values have these kinds; None unless exactly one known."""
    import numba

    kind = kinds.pop() if len(kinds) == 1 else None
    return getattr(numba.types, kind) if kind is not None else None


def compile_check(tree: Tree, fn: cst.FunctionDef, others: list[cst.FunctionDef], types: list,
                  parallel_loop: cst.For | None) -> None:
    """Compile the functions with numba in a scratch namespace; Decline with numba's reason."""
    import numba

    lines = []
    for s in tree.module.body:
        if isinstance(s, cst.SimpleStatementLine) and all(isinstance(x, (cst.Import, cst.ImportFrom)) for x in s.body):
            code = tree.code(s)
            tops = {tree.code(a.name).split(".")[0] for x in s.body if isinstance(x, cst.Import) for a in x.names}
            tops |= {tree.code(x.module).split(".")[0] for x in s.body
                     if isinstance(x, cst.ImportFrom) and x.module is not None}
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
    ns: dict[str, Any] = {"__name__": "__optadvise_scratch__", "numba": numba}
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
    reductions or appends), with no run-time check (`r >= 0`) that the proof rests on."""
    if not (isinstance(loop, cst.For) and isinstance(loop.iter, cst.Call) and tree.resolve(loop.iter.func) == "range"):
        return False
    try:
        nest, verdict = translate(tree, scope, [loop], finding, profile, module_name(tree, "numpy")[0])
    except Decline:
        return False
    return verdict.kind == "independent" and not nest.requires


@register
class NumbaJit(Rewriter):
    """`@numba.njit(cache=True)` on the function holding the loop (and its module-level callees), or on a
    new function holding a module-level loop."""

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
        ex.Rewrite(rule="loop-over-ndarray", before="""\
import numpy as np

a = np.linspace(0.0, 1.0, 1000)
c = np.zeros_like(a)
for i in range(1, len(a)):  # <-
    c[i] = c[i - 1] + a[i]
print(c[-1])
""", after="""\
import numpy as np
import numba

a = np.linspace(0.0, 1.0, 1000)
c = np.zeros_like(a)


@numba.njit(cache=True)
def kernel(a, c):
    for i in range(1, len(a)):  # <-
        c[i] = c[i - 1] + a[i]


kernel(a, c)
print(c[-1])
"""),
        ex.Rewrite(rule="loop-over-ndarray", before="""\
import numpy as np


def smooth(a, r):
    def step(v):
        return v * r + 1.0

    b = a.copy()
    for i in range(1, b.shape[0]):  # <-
        b[i] = step(b[i - 1]) + b[i]
    return b
""", after="""\
import numpy as np
import numba


@numba.njit(cache=True)
def smooth(a, r):
    def step(v):
        return v * r + 1.0

    b = a.copy()
    for i in range(1, b.shape[0]):  # <-
        b[i] = step(b[i - 1]) + b[i]
    return b
"""),
        ex.Decline(rule="loop-over-ndarray", before="""\
import numpy as np

a = np.linspace(0.0, 1.0, 1000)
c = np.zeros_like(a)
for i in range(1, len(a)):  # <-
    c[i] = c[i - 1] + a[i]
    print(c[i])
""", reason="the module-level loop prints"),
        ex.Decline(rule="loop-over-ndarray", before="""\
import numpy as np


class Walker:
    def walk(self, a):
        for i in range(1, len(a)):  # <-
            a[i] = a[i - 1] + a[i]
""", reason="is a method of `Walker`"),
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
            return self.propose_hoisted(tree, loop, finding, profile)
        check_function(tree, scope)
        others = [g for g in callees(tree, scope) if not g.decorators]
        for g in others:
            check_function(tree, g)
        types = arg_types(tree, scope, finding, profile)
        nb, imports = module_name(tree, "numba")
        variants: list[cst.For | None] = [None]
        if isinstance(loop, cst.For) and independent(tree, loop, scope, finding, profile):
            variants.append(loop)
        out = []
        for par in variants:
            checked = types is not None
            if types is not None:
                compile_check(tree, scope, others, types, par)
            edits = Edits()
            deco = f"{nb}.njit(cache=True, parallel=True)" if par is not None else f"{nb}.njit(cache=True)"
            for f in [scope, *others]:
                edits.replace[id(f)] = decorate(deco if f is scope else f"{nb}.njit(cache=True)", tree)
            if par is not None:
                edits.replace[id(par)] = prange(par, nb, tree)
            new = finish(tree, edits, imports)
            names = ", ".join(f"`{f.name.value}`" for f in [scope, *others])
            what = "parallel (prange) " if par is not None else ""
            note = ("compiled in nopython mode for the observed argument types" if checked
                    else "argument types unknown: not compile-checked before verification")
            out.append(candidate(self.kind, finding, source, new, f"{what}numba.njit on {names}",
                                 1e-9, note + "; first call includes JIT compile time"))
        return out

    def propose_hoisted(self, tree: Tree, loop: cst.For | cst.While, finding: Finding,
                        profile: Profile | None) -> list[Candidate]:
        """A module-level loop moved into a new jitted function that the module calls in its place."""
        check_body(tree, loop, "the module-level loop")
        h = hoist(tree, loop, tree.fresh("kernel"), profile)
        others = [g for g in callees(tree, loop) if not g.decorators]
        for g in others:
            check_function(tree, g)
        types = hoisted_types(tree, h, profile)
        nb, imports = module_name(tree, "numba")
        variants: list[cst.For | None] = [None]
        if isinstance(loop, cst.For) and not h.returns and independent(tree, loop, tree.module, finding, profile):
            variants.append(loop)  # a value the last iteration leaves is not defined under prange
        out = []
        for par in variants:
            body = loop if par is None else prange(par, nb, tree)
            fn = h.function(tree, f"{nb}.njit(cache=True{', parallel=True' if par is not None else ''})", body)
            if types is not None:
                compile_check(tree, fn, others, types, None)
            edits = Edits()
            edits.before[id(h.anchor)] = [fn]
            if h.anchor is not loop:
                edits.replace[id(h.anchor)] = two_blank_lines
            edits.replace[id(loop)] = h.call(tree)
            for g in others:
                edits.replace[id(g)] = decorate(f"{nb}.njit(cache=True)", tree)
            new = finish(tree, edits, imports)
            names = ", ".join(f"`{f.name.value}`" for f in [fn, *others])
            what = "parallel (prange) " if par is not None else ""
            note = ("compiled in nopython mode for the observed types" if types is not None
                    else "types unknown: not compile-checked before verification")
            out.append(candidate(self.kind, finding, tree.code(tree.module), new,
                                 f"module-level loop moved into {what}numba.njit function {names}", 1e-9,
                                 note + "; first call includes JIT compile time"))
        return out


def hoisted_types(tree: Tree, h: Hoist, profile: Profile | None) -> list | None:
    """Numba types for a hoisted loop's parameters: arrays the profile saw at module level, scalars
    from the literals the module assigns them; None when one is unknown."""
    import numba
    import numpy as np

    arrays = {a.name: a for a in (profile.arrays if profile else []) if a.function == MODULE
              and a.kind in ("ndarray", "memmap")}
    types = []
    for p in h.params:
        if p in arrays:
            types.append(numba.typeof(np.empty((1,) * len(arrays[p].shape), dtype=arrays[p].dtype or "float64")))
            continue
        t = scalar_type({literal_type(a.value) for s in tree.module.body if isinstance(s, cst.SimpleStatementLine)
                         for a in s.body if isinstance(a, cst.Assign)
                         and any(isinstance(x.target, cst.Name) and x.target.value == p for x in a.targets)})
        if t is None:
            return None
        types.append(t)
    return types


def decorate(decorator: str, tree: Tree) -> Callable[[cst.CSTNode], cst.CSTNode]:
    """An edit putting `@decorator` first on a function."""
    def edit(up: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(up, cst.FunctionDef)
        return up.with_changes(decorators=[cst.Decorator(decorator=expr(decorator, tree)), *up.decorators])
    return edit


def prange(loop: cst.For, nb: str, tree: Tree) -> cst.For:
    """`loop` iterating `numba.prange(...)` instead of `range(...)` (`independent` checked the call)."""
    assert isinstance(loop.iter, cst.Call)
    return loop.with_changes(iter=loop.iter.with_changes(func=expr(f"{nb}.prange", tree)))


def two_blank_lines(up: cst.CSTNode) -> cst.CSTNode:
    """A module-level statement after a new `def`: two blank lines, then its own comments."""
    assert isinstance(up, (cst.SimpleStatementLine, cst.BaseCompoundStatement))
    return up.with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine(),
                                          *(ln for ln in up.leading_lines if ln.comment)])
