"""The parsed module a rewriter reads, with libcst's metadata: positions, parents, scopes, names.

`Tree` parses a source once; `resolve` gives the qualified name of a dotted expression through the
module's imports (`np.linalg.solve` -> `numpy.linalg.solve`, from `QualifiedNameProvider`), `aliases`
lists the names the imports bind (from `ScopeProvider`); it finds statements by line, the scope and
block of a node, and the uses of a name in a scope.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import libcst as cst
from libcst.metadata import (
    Assignment,
    ExpressionContext,
    ExpressionContextProvider,
    MetadataWrapper,
    ParentNodeProvider,
    PositionProvider,
    QualifiedNameProvider,
    QualifiedNameSource,
    ScopeProvider,
)

from optadvise.rewriters.base import Decline

Scope = cst.Module | cst.FunctionDef
BLOCKS = (cst.Module, cst.IndentedBlock)


class Tree:
    """A parsed module with positions, parents, scopes and qualified names."""

    def __init__(self, source: str):
        try:
            self.wrapper = MetadataWrapper(cst.parse_module(source))
        except cst.ParserSyntaxError as e:
            raise Decline(f"cannot parse the source: {e.message}") from None
        self.module = self.wrapper.module
        self.pos = self.wrapper.resolve(PositionProvider)
        self.parent = self.wrapper.resolve(ParentNodeProvider)
        self.names = self.wrapper.resolve(QualifiedNameProvider)
        self.aliases: dict[str, str] = {}  # name an import binds (in any scope) -> dotted path it stands for
        self.plain_imports: set[str] = set()  # modules imported as `import a.b` (no alias)
        scopes = {s for s in self.wrapper.resolve(ScopeProvider).values() if s is not None}
        imports = sorted(((a.node, a.name, s) for s in scopes for a in s.assignments
                          if isinstance(a, Assignment) and (isinstance(a.node, cst.Import) or isinstance(
                              a.node, cst.ImportFrom) and not a.node.relative)),
                         key=lambda t: (self.line(t[0]), self.pos[t[0]].start.column))
        for _, name, scope in imports:
            if "." in name:
                self.plain_imports.add(name)
                continue
            full = {q.name for q in scope.get_qualified_names_for(name) if q.source == QualifiedNameSource.IMPORT}
            if len(full) == 1:
                self.aliases[name] = full.pop()

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
        """Dotted name of an expression through the imports in its scope: `np.fft.rfft` -> `numpy.fft.rfft`.

        A name no import binds keeps its spelling (`len`, `x.dot`); None for anything but a dotted name.
        """
        d = dotted(expr)
        if d is None:
            return None
        # QualifiedNameProvider computes a node's names on first request (a callable at runtime)
        lazy: Any = self.names.get(expr)
        full = {q.name for q in (lazy() if lazy else ()) if q.source == QualifiedNameSource.IMPORT}
        return full.pop() if len(full) == 1 else d

    def module_functions(self) -> dict[str, cst.FunctionDef]:
        return {s.name.value: s for s in self.module.body if isinstance(s, cst.FunctionDef)}

    def code(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)

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
