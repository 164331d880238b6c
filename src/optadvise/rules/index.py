"""One traversal of a module's `ast` that every rule queries: imports, functions, loops, calls, bindings
(names bound to arrays, and the attributes a class's methods bind to arrays: `self.x = np.zeros(n)`).

The index never imports or runs the code it describes. Dotted names are resolved through the module's
imports, so `np.append`, `numpy.append` and `from numpy import append` all read `numpy.append`.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field

from optadvise.model import MODULE

# Calls whose result is a NumPy array (prefix match on the resolved dotted name).
ARRAY_FACTORIES = ("numpy.", "scipy.", "cupy.")
NOT_ARRAY = {"numpy.random.default_rng", "numpy.random.seed", "numpy.dtype", "numpy.errstate",
             "numpy.printoptions", "numpy.set_printoptions", "numpy.save", "numpy.savez",
             "numpy.savetxt", "numpy.isscalar", "numpy.ndim", "numpy.shape", "numpy.size",
             "numpy.allclose", "numpy.array_equal", "numpy.testing", "numpy.nditer", "numpy.ndindex",
             "numpy.ndenumerate", "numpy.broadcast", "numpy.finfo", "numpy.iinfo"}


def dotted_name(expr: ast.AST) -> str | None:
    """`a` for a variable, `a.b.c` for an attribute chain rooted at one (not expanded through imports)."""
    parts: list[str] = []
    while isinstance(expr, ast.Attribute):
        parts.append(expr.attr)
        expr = expr.value
    return ".".join([expr.id, *reversed(parts)]) if isinstance(expr, ast.Name) else None


_LEAVES = (ast.expr_context, ast.operator, ast.cmpop, ast.unaryop, ast.boolop)
_DISPATCH: dict[type, Callable[[ModuleIndex, ast.AST], None]] = {}


@dataclass
class Loop:
    node: ast.For | ast.While
    function: str
    depth: int  # 0 for an outermost loop within its function
    parent: Loop | None
    calls: list[Call] = field(default_factory=list)  # calls anywhere inside, nested loops included


@dataclass
class Call:
    node: ast.Call
    name: str | None  # resolved dotted name, e.g. "numpy.append"; None if not resolvable
    function: str
    loops: list[Loop]  # enclosing loops, innermost last


@dataclass
class Scope:
    name: str  # qualified name or MODULE
    node: ast.AST
    params: list[str] = field(default_factory=list)
    array_names: set[str] = field(default_factory=set)  # bound from NumPy calls or array arithmetic
    attribute_arrays: set[str] = field(default_factory=set)  # of a class: `self.NAME = <array>` in a method
    assigned: dict[str, list[ast.AST]] = field(default_factory=dict)  # name -> value nodes


class ModuleIndex(ast.NodeVisitor):
    """Facts about one module, gathered in a single walk."""

    def __init__(self, source: str, filename: str = "<string>", tree: ast.Module | None = None):
        self.filename = filename
        self.tree = tree if tree is not None else ast.parse(source, filename)
        self.aliases: dict[str, str] = {}  # local name -> dotted module/object path
        self.scopes: dict[str, Scope] = {MODULE: Scope(MODULE, self.tree)}
        self.loops: list[Loop] = []
        self.calls: list[Call] = []
        self.parents: dict[ast.AST, ast.AST] = {}
        self._scope_stack: list[str] = [MODULE]
        self._loop_stack: list[Loop] = []
        self.visit(self.tree)

    # ---------------------------------------------------------------------------- public queries

    def resolve(self, expr: ast.AST) -> str | None:
        """Dotted name of an expression like `np.linalg.solve`, expanded through imports."""
        parts: list[str] = []
        while isinstance(expr, ast.Attribute):
            parts.append(expr.attr)
            expr = expr.value
        if not isinstance(expr, ast.Name):
            return None
        head = self.aliases.get(expr.id, expr.id)
        return ".".join([head, *reversed(parts)])

    def is_array_name(self, name: str, function: str) -> bool:
        """Whether `name` is statically known to hold an array in `function` or at module level; a
        dotted `self.x` in a method when a method of its class binds `self.x` to an array."""
        if "." in name:
            root, attr = name.split(".", 1)
            cls = self.instance_class(function, root)
            return cls is not None and attr in cls.attribute_arrays
        scope = self.scopes.get(function)
        return bool(scope and name in scope.array_names) or name in self.scopes[MODULE].array_names

    def instance_class(self, function: str, name: str) -> Scope | None:
        """The class whose instance `name` is in `function`: the first parameter of a method (not a
        staticmethod) defined in the class's body."""
        scope = self.scopes.get(function)
        owner = self.scopes.get(function.rpartition(".")[0]) if "." in function else None
        node = scope.node if scope else None
        if scope is None or owner is None or not isinstance(owner.node, ast.ClassDef) \
                or not scope.params or scope.params[0] != name or not isinstance(node, ast.FunctionDef) \
                or any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in node.decorator_list):
            return None
        return owner

    def loops_in(self, function: str) -> list[Loop]:
        """The loops of one function (or of the module's top level)."""
        return [lp for lp in self.loops if lp.function == function]

    def imports(self, module: str) -> bool:
        """Whether the module imports `module`, a package of it or something from it."""
        return any(v == module or v.startswith(module + ".") or module.startswith(v + ".")
                   for v in self.aliases.values())

    # ---------------------------------------------------------------------------- traversal

    def visit(self, node: ast.AST) -> None:
        cls = type(node)
        method = _DISPATCH.get(cls)
        if method is None:
            method = _DISPATCH[cls] = getattr(ModuleIndex, "visit_" + cls.__name__,
                                              ModuleIndex.generic_visit)
        method(self, node)

    def generic_visit(self, node: ast.AST) -> None:
        """Record the parent of each child; skip leaves no rule asks about (`ctx`, operators)."""
        parents = self.parents
        for name in node._fields:
            value = getattr(node, name, None)
            children = value if isinstance(value, list) else (value,)
            for child in children:
                if isinstance(child, ast.AST) and not isinstance(child, _LEAVES):
                    parents[child] = node
                    if type(child) is not ast.Constant:
                        self.visit(child)

    def visit_Import(self, node: ast.Import) -> None:
        for a in node.names:
            if a.asname:
                self.aliases[a.asname] = a.name
            else:
                top = a.name.split(".")[0]
                self.aliases[top] = top

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module and not node.level:
            for a in node.names:
                self.aliases[a.asname or a.name] = f"{node.module}.{a.name}"

    def _visit_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda,
                        name: str) -> None:
        outer = self._scope_stack[-1]
        qual = name if outer == MODULE else f"{outer}.{name}"
        args = node.args
        params = [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]
        self.scopes[qual] = Scope(qual, node, params=params)
        self._scope_stack.append(qual)
        saved_loops, self._loop_stack = self._loop_stack, []
        self.generic_visit(node)
        self._loop_stack = saved_loops
        self._scope_stack.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._visit_function(node, node.name)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._visit_function(node, node.name)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        outer = self._scope_stack[-1]
        qual = node.name if outer == MODULE else f"{outer}.{node.name}"
        self.scopes[qual] = Scope(qual, node)
        self._scope_stack.append(qual)
        self.generic_visit(node)
        self._scope_stack.pop()

    def _visit_loop(self, node: ast.For | ast.While) -> None:
        parent = self._loop_stack[-1] if self._loop_stack else None
        loop = Loop(node, self._scope_stack[-1], len(self._loop_stack), parent)
        self.loops.append(loop)
        self._loop_stack.append(loop)
        self.generic_visit(node)
        self._loop_stack.pop()

    def visit_For(self, node: ast.For) -> None:
        self._visit_loop(node)

    def visit_While(self, node: ast.While) -> None:
        self._visit_loop(node)

    def visit_Call(self, node: ast.Call) -> None:
        call = Call(node, self.resolve(node.func), self._scope_stack[-1], list(self._loop_stack))
        self.calls.append(call)
        for lp in self._loop_stack:
            lp.calls.append(call)
        self.generic_visit(node)

    def _bind(self, target: ast.AST, value: ast.AST | None) -> None:
        scope = self.scopes[self._scope_stack[-1]]
        if isinstance(target, ast.Name):
            scope.assigned.setdefault(target.id, []).append(value if value is not None else target)
            if value is not None and self._is_array_expr(value, scope):
                scope.array_names.add(target.id)
        elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and value is not None:
            cls = self.instance_class(scope.name, target.value.id)
            if cls is not None and self._is_array_expr(value, scope):
                cls.attribute_arrays.add(target.attr)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for elt in target.elts:
                self._bind(elt, None)

    def visit_Assign(self, node: ast.Assign) -> None:
        for t in node.targets:
            self._bind(t, node.value)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._bind(node.target, node.value)
        self.generic_visit(node)

    def _is_array_expr(self, value: ast.AST, scope: Scope) -> bool:
        """Whether an expression evidently yields an ndarray (static guess)."""
        if isinstance(value, ast.Call):
            name = self.resolve(value.func)
            if name and name.startswith(ARRAY_FACTORIES) and name not in NOT_ARRAY:
                return True
            # rng.standard_normal(...), x.copy(), a.reshape(...) on a known array
            func = value.func
            if isinstance(func, ast.Attribute) and self._known_array(func.value, scope):
                return True
            return isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) \
                and self._is_rng(func.value.id, scope)
        if isinstance(value, ast.BinOp):
            return self._is_array_expr(value.left, scope) or self._is_array_expr(value.right, scope)
        if isinstance(value, (ast.Name, ast.Attribute)):
            return self._known_array(value, scope)
        if isinstance(value, ast.Subscript):
            # a slice of an array is an array; an element is not, but we cannot tell statically
            return isinstance(value.slice, ast.Slice) and self._known_array(value.value, scope)
        return False

    def _known_array(self, expr: ast.AST, scope: Scope) -> bool:
        """A name (or `self.x`) bound to an array earlier in the walk."""
        name = dotted_name(expr)
        return name is not None and self.is_array_name(name, scope.name)

    def _is_rng(self, name: str, scope: Scope) -> bool:
        for s in (scope, self.scopes[MODULE]):
            for v in s.assigned.get(name, []):
                if isinstance(v, ast.Call) and (self.resolve(v.func) or "").startswith(
                        ("numpy.random.default_rng", "numpy.random.RandomState", "numpy.random.Generator")):
                    return True
        return False
