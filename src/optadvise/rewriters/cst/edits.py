"""Edits to a parsed module: replacements, removals and insertions in one pass, imports queued on
libcst's `CodemodContext` (added by `AddImportsVisitor`, dropped by `RemoveImportsVisitor`), and
`finish`, which renders the new source that a `Candidate` carries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor

from optadvise.model import Candidate, Finding
from optadvise.rewriters.cst.tree import Tree

Replacement = cst.CSTNode | cst.FlattenSentinel | cst.RemovalSentinel | Callable[[cst.CSTNode], object]


@dataclass
class Edits(cst.CSTTransformer):
    """Replace, remove or surround statements/expressions (keyed by original node identity), and
    queue the imports the new code needs or no longer needs."""

    replace: dict[int, Replacement] = field(default_factory=dict)  # id -> node or callable(updated)
    after: dict[int, list[cst.BaseStatement]] = field(default_factory=dict)
    before: dict[int, list[cst.BaseStatement]] = field(default_factory=dict)
    context: CodemodContext = field(default_factory=CodemodContext)

    def __post_init__(self) -> None:
        super().__init__()

    def add_import(self, module: str, obj: str | None = None) -> None:
        """Queue `import module` (or `from module import obj`) unless the module already has it."""
        AddImportsVisitor.add_needed_import(self.context, module, obj)

    def remove_unused_import(self, module: str, obj: str | None = None) -> None:
        """Queue the removal of `import module` (or `from module import obj`) if nothing uses it then."""
        RemoveImportsVisitor.remove_unused_import(self.context, module, obj)

    def ref(self, tree: Tree, module: str, attr: str) -> str:
        """Source text naming `module.attr`: an existing import's name, else `module.attr` with
        `import module` queued."""
        for local, full in tree.aliases.items():
            if full == f"{module}.{attr}":
                return local
        for local, full in tree.aliases.items():
            if full == module or (full == "numpy" and module.startswith("numpy.")):
                return f"{local}{module[len(full):]}.{attr}"
        if module not in tree.plain_imports:
            self.add_import(module)
        return f"{module}.{attr}"

    def on_leave(self, original_node, updated_node):
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


def finish(tree: Tree, edits: Edits, imports: Iterable[tuple[str, str | None]] = ()) -> str:
    """Apply the edits and the queued imports (plus `imports`), render, and check that it parses."""
    for mod, obj in imports:
        edits.add_import(mod, obj)
    module = AddImportsVisitor(edits.context).transform_module(tree.module.visit(edits))
    if edits.context.scratch.get(RemoveImportsVisitor.CONTEXT_KEY):
        module = RemoveImportsVisitor(edits.context).transform_module(module)
    code = module.code
    compile(code, "<candidate>", "exec")
    return code


def candidate(kind: str, finding: Finding, source: str, new: str, description: str,
              rtol: float, note: str) -> Candidate:
    """A Candidate for `finding` carrying its location and rule."""
    return Candidate(rule=finding.rule, kind=kind, function=finding.function, filename=finding.filename,
                     lineno=finding.lineno, description=description, original=source, new=new,
                     rtol=rtol, note=note)
