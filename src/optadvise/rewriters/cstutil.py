"""libcst plumbing shared by the sparse, memmap, processpool and cupy rewriters.

`Tree` parses a source once with positions and parents, resolves dotted names through the module's
imports (`np.linalg.solve` -> `numpy.linalg.solve`), finds statements by line and the uses of a name in
a scope; `Edits` applies replacements, removals and insertions in one pass; `finish` adds imports
through libcst's `AddImportsVisitor` and renders the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor
from libcst.metadata import (ExpressionContext, ExpressionContextProvider, MetadataWrapper,
                             ParentNodeProvider, PositionProvider)

from optadvise.model import Candidate, Finding
from optadvise.rewriters.base import Decline

Scope = cst.Module | cst.FunctionDef
BLOCKS = (cst.Module, cst.IndentedBlock)


class Tree:
    """A parsed module with positions, parents and the module's import aliases."""

    def __init__(self, source: str):
        try:
            self.wrapper = MetadataWrapper(cst.parse_module(source))
        except cst.ParserSyntaxError as e:
            raise Decline(f"cannot parse the source: {e.message}") from None
        self.module = self.wrapper.module
        self.pos = self.wrapper.resolve(PositionProvider)
        self.parent = self.wrapper.resolve(ParentNodeProvider)
        self.aliases: dict[str, str] = {}  # local name -> dotted path it stands for
        self.plain_imports: set[str] = set()  # modules imported as `import a.b` (no alias)
        for node in self.walk(self.module):
            if isinstance(node, cst.Import):
                for a in node.names:
                    full = dotted(a.name) or ""
                    if a.asname is not None:
                        self.aliases[a.asname.name.value] = full  # type: ignore[union-attr]
                    else:
                        self.plain_imports.add(full)
                        top = full.split(".")[0]
                        self.aliases[top] = top
            elif isinstance(node, cst.ImportFrom) and not node.relative and node.module is not None:
                base = dotted(node.module) or ""
                if isinstance(node.names, cst.ImportStar):
                    continue
                for a in node.names:
                    local = a.asname.name.value if a.asname else dotted(a.name)  # type: ignore[union-attr]
                    self.aliases[str(local)] = f"{base}.{dotted(a.name)}"

    # -------------------------------------------------------------------------------- navigation

    def walk(self, node: cst.CSTNode) -> Iterator[cst.CSTNode]:
        stack = [node]
        while stack:
            n = stack.pop()
            yield n
            stack.extend(reversed(n.children))

    def line(self, node: cst.CSTNode) -> int:
        return self.pos[node].start.line

    def end_line(self, node: cst.CSTNode) -> int:
        return self.pos[node].end.line

    def ancestors(self, node: cst.CSTNode) -> Iterator[cst.CSTNode]:
        while node in self.parent:
            node = self.parent[node]
            yield node

    def statement_at(self, lineno: int) -> cst.BaseStatement:
        """The innermost statement whose first line is `lineno` (or that spans it)."""
        best: cst.BaseStatement | None = None
        for n in self.walk(self.module):
            if isinstance(n, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
                p = self.pos[n]
                if p.start.line <= lineno <= p.end.line:
                    if best is None or p.start.line >= self.pos[best].start.line:
                        best = n
        if best is None:
            raise Decline(f"no statement at line {lineno}")
        return best

    def scope_of(self, node: cst.CSTNode) -> Scope:
        for a in self.ancestors(node):
            if isinstance(a, (cst.FunctionDef, cst.Module)):
                return a
            if isinstance(a, (cst.Lambda, cst.ClassDef)):
                raise Decline("the code sits inside a lambda or class body; not followed")
        return self.module

    def statement_of(self, node: cst.CSTNode) -> cst.BaseStatement:
        """The nearest enclosing statement of an expression."""
        for a in [node, *self.ancestors(node)]:
            if isinstance(a, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
                return a
        raise Decline("expression outside any statement")

    def block_of(self, stmt: cst.BaseStatement) -> cst.Module | cst.IndentedBlock:
        p = self.parent[stmt]
        if not isinstance(p, BLOCKS):
            raise Decline("statement is not in an indented block")
        return p

    def top_statement_in(self, node: cst.CSTNode, block: cst.CSTNode) -> cst.BaseStatement | None:
        """The statement of `block`'s body that contains `node`, if any."""
        prev = node
        for a in self.ancestors(node):
            if a is block:
                return prev if isinstance(prev, cst.BaseStatement) else None
            prev = a
        return None

    def inside(self, node: cst.CSTNode, container: cst.CSTNode) -> bool:
        return node is container or any(a is container for a in self.ancestors(node))

    def name_nodes(self, root: cst.CSTNode, name: str) -> list[cst.Name]:
        """Every `Name` spelled `name` under root that is a variable (not an attribute or keyword)."""
        out = []
        for n in self.walk(root):
            if isinstance(n, cst.Name) and n.value == name:
                p = self.parent.get(n)
                if isinstance(p, cst.Attribute) and p.attr is n:
                    continue
                if isinstance(p, (cst.Arg,)) and p.keyword is n:
                    continue
                if isinstance(p, (cst.FunctionDef, cst.ClassDef)) and p.name is n:
                    continue
                out.append(n)
        return sorted(out, key=lambda x: (self.pos[x].start.line, self.pos[x].start.column))

    def nested_scope(self, node: cst.CSTNode, scope: Scope) -> bool:
        """True when node lies in a function, lambda or class nested inside `scope`."""
        for a in self.ancestors(node):
            if a is scope:
                return False
            if isinstance(a, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
                return True
        return False

    def resolve(self, expr: cst.BaseExpression) -> str | None:
        """Dotted name of an expression through the imports: `np.fft.rfft` -> `numpy.fft.rfft`."""
        d = dotted(expr)
        if d is None:
            return None
        head, _, rest = d.partition(".")
        if head in self.aliases:
            base = self.aliases[head]
            return f"{base}.{rest}" if rest else base
        return d

    def module_functions(self) -> dict[str, cst.FunctionDef]:
        return {s.name.value: s for s in self.module.body if isinstance(s, cst.FunctionDef)}

    def code(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)

    # ----------------------------------------------------------------------------------- imports

    def ref(self, module: str, attr: str, imports: list[tuple[str, str | None]]) -> str:
        """Source text naming `module.attr`, reusing an existing import or queueing `import module`."""
        for local, full in self.aliases.items():
            if full == f"{module}.{attr}":
                return local
        for local, full in self.aliases.items():
            if full == module or (full == "numpy" and module.startswith("numpy.")):
                return f"{local}{module[len(full):]}.{attr}"
        if module in self.plain_imports:
            return f"{module}.{attr}"
        imports.append((module, None))
        return f"{module}.{attr}"

    def fresh(self, base: str, within: cst.CSTNode | None = None) -> str:
        """A name unused in `within` (default: the whole module) and at the module's top level."""
        used = {n.value for n in self.walk(within or self.module) if isinstance(n, cst.Name)}
        for st in self.module.body:
            if not isinstance(st, (cst.FunctionDef, cst.ClassDef)):
                used |= {n.value for n in self.walk(st) if isinstance(n, cst.Name)}
            elif isinstance(st, (cst.FunctionDef, cst.ClassDef)):
                used.add(st.name.value)
        name, k = base, 2
        while name in used:
            name, k = f"{base}_{k}", k + 1
        return name

    def stores(self, root: cst.CSTNode) -> set[str]:
        """Names bound under root: assignment/loop/with/comprehension targets, imports, defs, params."""
        ctx = self.wrapper.resolve(ExpressionContextProvider)
        out = {n.value for n in self.walk(root)
               if isinstance(n, cst.Name) and ctx.get(n) == ExpressionContext.STORE}
        for n in self.walk(root):
            if isinstance(n, cst.Param):
                out.add(n.name.value)
            elif isinstance(n, (cst.FunctionDef, cst.ClassDef)) and n is not root:
                out.add(n.name.value)
            elif isinstance(n, cst.AsName) and isinstance(n.name, cst.Name):
                out.add(n.name.value)
            elif isinstance(n, cst.ImportAlias) and n.asname is None:
                out.add(str(dotted(n.name)).split(".")[0])
        return out


def dotted(expr: cst.CSTNode) -> str | None:
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        head = dotted(expr.value)
        return f"{head}.{expr.attr.value}" if head else None
    return None


def call_args(call: cst.Call) -> tuple[list[cst.Arg], dict[str, cst.Arg]]:
    """Positional and keyword arguments of a call; Decline on *args/**kwargs."""
    pos, kw = [], {}
    for a in call.args:
        if a.star:
            raise Decline("a call uses *args/**kwargs; not followed")
        if a.keyword is not None:
            kw[a.keyword.value] = a
        else:
            pos.append(a)
    return pos, kw


@dataclass
class Edits(cst.CSTTransformer):
    """Replace, remove or surround statements/expressions (keyed by original node identity)."""

    replace: dict[int, object] = field(default_factory=dict)  # id -> node or callable(updated)
    after: dict[int, list[cst.BaseStatement]] = field(default_factory=dict)
    before: dict[int, list[cst.BaseStatement]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__()

    def on_leave(self, original_node, updated_node):  # type: ignore[no-untyped-def]
        key = id(original_node)
        out = updated_node
        if key in self.replace:
            rep = self.replace[key]
            out = rep(updated_node) if callable(rep) else rep
        if key in self.after or key in self.before:
            items = [*self.before.get(key, [])]
            if isinstance(out, cst.FlattenSentinel):
                items.extend(out.nodes)
            elif not isinstance(out, cst.RemovalSentinel):
                items.append(out)
            items.extend(self.after.get(key, []))
            return cst.FlattenSentinel(items)
        return out


def stmt(code: str, tree: Tree) -> cst.BaseStatement:
    return cst.parse_statement(code, config=tree.module.config_for_parsing)


def expr(code: str, tree: Tree) -> cst.BaseExpression:
    return cst.parse_expression(code, config=tree.module.config_for_parsing)


def finish(tree: Tree, edits: Edits, imports: list[tuple[str, str | None]],
           unused: list[tuple[str, str | None]] = ()) -> str:  # type: ignore[assignment]
    """Apply the edits, add the queued imports (and drop now-unused ones), render, and check it parses."""
    module = tree.module.visit(edits)
    ctx = CodemodContext()
    for mod, obj in imports:
        AddImportsVisitor.add_needed_import(ctx, mod, obj)
    module = AddImportsVisitor(ctx).transform_module(module)
    if unused:
        ctx = CodemodContext()
        for mod, obj in unused:
            RemoveImportsVisitor.remove_unused_import(ctx, mod, obj)
        module = RemoveImportsVisitor(ctx).transform_module(module)
    code = module.code
    compile(code, "<candidate>", "exec")
    return code


# ------------------------------------------------------------------------------ how a value is used

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
            is_call = isinstance(call, cst.Call) and call.func is p
            m = p.attr.value
            if not is_call:
                if m in VIEW_ATTRS:
                    e = p
                    continue
                return Use("read", n)
            if any(a.keyword is not None and a.keyword.value == "out" for a in call.args):  # type: ignore[union-attr]
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
        return [el.value.value for el in target.elements]  # type: ignore[union-attr]
    return None


def uses_through(tree: Tree, scope: cst.CSTNode, name: str, depth: int = 0,
                 seen: set[tuple[str, int]] | None = None) -> list[Use]:
    """All uses of `name` in `scope`, following aliases and module-level functions it is passed to."""
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
                    out.extend(uses_through(tree, fn, params[int(idx)].name.value, depth + 1, seen))
                    continue
                u = Use("escape", n, f"passed to `{fname}` at line {tree.line(n)}")
            out.append(u)
    return out


def candidate(kind: str, finding: Finding, source: str, new: str, description: str,
              rtol: float, note: str) -> Candidate:
    """A Candidate for `finding` carrying its location and rule."""
    return Candidate(rule=finding.rule, kind=kind, function=finding.function, filename=finding.filename,
                     lineno=finding.lineno, description=description, original=source, new=new,
                     rtol=rtol, note=note)
