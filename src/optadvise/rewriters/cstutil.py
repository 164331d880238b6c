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
from libcst.metadata import MetadataWrapper, ParentNodeProvider, PositionProvider

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

    def fresh(self, base: str) -> str:
        """A name not used anywhere in the module."""
        used = {n.value for n in self.walk(self.module) if isinstance(n, cst.Name)}
        name, k = base, 2
        while name in used:
            name, k = f"{base}_{k}", k + 1
        return name


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
        module = MetadataWrapper(module).visit(RemoveImportsVisitor(ctx))
    code = module.code
    compile(code, "<candidate>", "exec")
    return code
