"""Value flow: how each use of a name treats the value it holds (read, written, aliased, escaping ...).

`use_of` classifies one use, following views (`a.T`, `a.reshape(...)`, `np.asarray(a)`) to the
use that decides; `uses_through` collects every use of a name in a scope, following aliases, the
module-level functions it is passed to and (on request) the callers it is returned to.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from optadvise.rewriters.base import Decline
from optadvise.rewriters.cst.calls import callers, enclosing_function, names_in, result_holder, returned_at
from optadvise.rewriters.cst.tree import Tree

VIEW_ATTRS = {"T", "mT", "real", "imag", "flat"}
VIEW_METHODS = {"reshape", "view", "ravel", "squeeze", "transpose", "swapaxes", "diagonal"}
MUTATORS = {"sort", "fill", "resize", "put", "itemset", "setfield", "setflags", "partition", "byteswap",
            "append", "extend", "insert", "pop", "remove", "clear", "update", "add", "discard",
            "setdefault", "popitem", "reverse", "__setitem__", "__iadd__"}
READ_METHODS = {"mean", "sum", "std", "var", "min", "max", "argmax", "argmin", "copy", "astype", "tolist",
                "item", "any", "all", "dot", "prod", "cumsum", "cumprod", "nonzero", "flatten", "tobytes",
                "round", "clip", "conj", "trace", "ptp", "searchsorted", "argsort", "count", "index",
                "get", "keys", "values", "items", "__len__", "__contains__"}
SAVERS = {"tofile", "dump"}
SAVE_FUNCS = {"numpy.save", "numpy.savez", "numpy.savez_compressed", "numpy.savetxt"}
NP_ALIASING = {"numpy.asarray", "numpy.asanyarray", "numpy.ascontiguousarray", "numpy.asfortranarray",
               "numpy.reshape", "numpy.ravel", "numpy.squeeze", "numpy.transpose", "numpy.moveaxis",
               "numpy.swapaxes", "numpy.atleast_1d", "numpy.atleast_2d", "numpy.atleast_3d",
               "numpy.broadcast_to", "numpy.diagonal", "numpy.real", "numpy.imag"}
NP_WRITERS = {"numpy.copyto", "numpy.put", "numpy.place", "numpy.putmask", "numpy.fill_diagonal",
              "numpy.random.shuffle", "numpy.put_along_axis"}
BUILTIN_READS = {"len", "float", "int", "bool", "complex", "abs", "min", "max", "sum", "sorted", "range",
                 "isinstance", "round", "divmod", "pow", "hash", "id", "any", "all", "math.fsum"}
SHOWS = {"print", "repr", "str", "type", "format", "ascii"}


@dataclass
class Use:
    """One use of a value: kind is read | write | alias | show | save | return | call | escape."""

    kind: str
    node: cst.CSTNode
    detail: str = ""  # alias: the new name; call: "function:argindex"; else a description


def use_of(tree: Tree, n: cst.Name) -> Use:
    """Classify one use of a name holding an array (or a mutable argument), through views."""
    e: cst.CSTNode = n
    while True:
        p = tree.parent.get(e)
        line = f"line {tree.line(n)}"
        if isinstance(p, cst.Subscript) and p.value is e:
            e = p
            continue
        if isinstance(p, cst.Attribute) and p.value is e:
            call = tree.parent.get(p)
            m = p.attr.value
            if not (isinstance(call, cst.Call) and call.func is p):
                if m in VIEW_ATTRS:
                    e = p
                    continue
                return Use("read", n)
            if any(a.keyword is not None and a.keyword.value == "out" for a in call.args):
                return Use("escape", n, f".{m}(out=...) at {line}")
            if m in VIEW_METHODS:
                e = call
                continue
            if m in MUTATORS:
                return Use("write", n, f".{m}() at {line}")
            if m in READ_METHODS:
                return Use("read", n)
            if m in SAVERS:
                return Use("save", n, f".{m}() at {line}")
            return Use("escape", n, f"method .{m}() at {line}")
        if isinstance(p, cst.Arg) and p.keyword is None and p.star == "":
            call = tree.parent.get(p)
            fn = tree.resolve(call.func) if isinstance(call, cst.Call) else None
            if fn in NP_ALIASING and call.args[0] is p:  # type: ignore[union-attr]
                e = call  # type: ignore[assignment]
                continue
        break
    p = tree.parent.get(e)
    line = f"line {tree.line(n)}"
    if e is n and _in_unpacking_target(tree, n):  # `lo, hi = ...`: the name is bound here, not used
        return Use("rebind", n, f"`{n.value}` rebound at {line}")
    if isinstance(p, cst.AssignTarget):
        return Use("rebind" if e is n else "write", n, f"`{tree.code(e)} = ...` at {line}")
    if isinstance(p, cst.AugAssign) and p.target is e:
        return Use("write", n, f"`{tree.code(e)} {tree.code(p.operator).strip()} ...` at {line}")
    if isinstance(p, cst.Assign) and p.value is e:
        names = _target_names(p.targets[0].target) if len(p.targets) == 1 else None
        if names:  # `x = a`, or `lo, hi = a`: each name holds (a part of) the value
            return Use("alias", n, ",".join(names))
        return Use("escape", n, f"unpacked or multiply assigned at {line}")
    if isinstance(p, (cst.For, cst.CompFor)) and p.iter is e:
        names = _target_names(p.target)
        if names:
            return Use("alias", n, ",".join(names))
        return Use("escape", n, f"iterated with unpacking at {line}")
    if isinstance(p, (cst.BinaryOperation, cst.UnaryOperation, cst.Comparison, cst.ComparisonTarget,
                      cst.Index, cst.Del, cst.Expr, cst.If, cst.While, cst.IfExp)):
        if isinstance(p, cst.IfExp) and p.test is not e:
            return Use("escape", n, f"chosen by a conditional expression at {line}")
        return Use("read", n)
    if isinstance(p, cst.Arg):
        call = tree.parent.get(p)
        if p.keyword is not None and p.keyword.value == "out":
            return Use("write", n, f"out= at {line}")
        if not isinstance(call, cst.Call) or p.star:
            return Use("escape", n, f"passed on at {line}")
        fn = tree.resolve(call.func) or tree.code(call.func)
        if fn in SHOWS:
            return Use("show", n, f"{fn}() at {line}")
        if fn in SAVE_FUNCS:
            return Use("save", n, f"{fn}() at {line}")
        if fn in NP_WRITERS or fn.endswith(".at"):
            return Use("write", n, f"{fn}() at {line}")
        if fn in BUILTIN_READS or (fn.startswith("numpy.") and fn not in NP_ALIASING
                                   and not fn.startswith("numpy.lib")):
            return Use("read", n)
        funcs = tree.module_functions()
        if isinstance(call.func, cst.Name) and fn in funcs and p.keyword is None:
            return Use("call", n, f"{fn}:{list(call.args).index(p)}")
        return Use("escape", n, f"passed to `{fn}` at {line}")
    if isinstance(p, (cst.Return, cst.Yield)):
        return Use("return", n, f"returned at {line}")
    if isinstance(p, cst.FormattedStringExpression):
        return Use("show", n, f"formatted into a string at {line}")
    return Use("escape", n, f"used as `{tree.code(p) if p is not None else ''}` at {line}")


def _in_unpacking_target(tree: Tree, n: cst.Name) -> bool:
    el = tree.parent.get(n)
    seq = tree.parent.get(el) if isinstance(el, cst.Element) else None
    if not isinstance(seq, (cst.Tuple, cst.List)):
        return False
    holder = tree.parent.get(seq)
    return isinstance(holder, cst.AssignTarget) or (
        isinstance(holder, (cst.For, cst.CompFor)) and holder.target is seq)


def _target_names(target: cst.BaseExpression) -> list[str] | None:
    """`x` -> [x]; `a, b` / `[a, b]` -> [a, b]; anything else (starred, subscripts) -> None."""
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)) and all(
            isinstance(el, cst.Element) and isinstance(el.value, cst.Name) for el in target.elements):
        return [el.value.value for el in target.elements if isinstance(el.value, cst.Name)]
    return None


def uses_through(tree: Tree, scope: cst.CSTNode, name: str, depth: int = 0,
                 seen: set[tuple[str, int]] | None = None, returns: bool = False) -> list[Use]:
    """All uses of `name` in `scope`, following aliases and module-level functions it is passed to;
    with `returns`, also what the callers of `scope` do with it when it is returned."""
    seen = set() if seen is None else seen
    out: list[Use] = []
    todo, done = [name], set()
    while todo:
        nm = todo.pop()
        if nm in done:
            continue
        done.add(nm)
        for n in tree.name_nodes(scope, nm):
            if isinstance(tree.parent.get(n), (cst.Param, cst.Global, cst.Nonlocal)):
                continue
            u = use_of(tree, n)
            if u.kind == "alias":
                todo.extend(u.detail.split(","))
                continue
            if u.kind == "call" and depth < 4:
                fname, idx = u.detail.split(":")
                fn = tree.module_functions()[fname]
                params = fn.params.params
                if int(idx) < len(params) and (fname, int(idx)) not in seen \
                        and not isinstance(fn.params.star_arg, cst.Param):
                    seen.add((fname, int(idx)))
                    out.extend(uses_through(tree, fn, params[int(idx)].name.value, depth + 1, seen, returns))
                    continue
                u = Use("escape", n, f"passed to `{fname}` at line {tree.line(n)}")
            if u.kind == "return" and returns and isinstance(scope, cst.FunctionDef) and depth < 4:
                out.extend(uses_of_result(tree, n, depth + 1, seen))
                continue
            out.append(u)
    return out


def uses_of_result(tree: Tree, node: cst.CSTNode, depth: int = 0,
                   seen: set[tuple[str, int]] | None = None) -> list[Use]:
    """What every caller does with `node`, returned by its module-level function (whole or in a tuple):
    the uses of the names its callers bind the result to; one escape Use when that cannot be followed."""
    try:
        fn = enclosing_function(tree, node)
        if fn is None or tree.nested_scope(node, fn):
            raise Decline(f"returned at line {tree.line(node)} from a nested function")
        index = returned_at(tree, fn, node)
        holders = [result_holder(tree, c, index) for c in callers(tree, fn.name.value)]
        for h in holders:
            names_in(tree, h.scope, h.name)  # declines when a nested function shares the variable
    except Decline as e:
        return [Use("escape", node, str(e))]
    if not holders:
        return [Use("escape", node, f"returned by `{fn.name.value}`, which nothing calls")]
    return [u for h in holders for u in uses_through(tree, h.scope, h.name, depth, seen, returns=True)]
