"""Arrays reached through attribute chains (`self.x`, `obj.grid.u`), keyed as dotted names.

An attribute chain rooted at a variable is a dotted name (`"self.x"`): the loop analysis keys its
facts, accesses and aliasing checks by it exactly as by a plain name, and writes it back as spelled.
That is sound while the chain holds one object for the whole loop, which `check_attributes` asks of
a nest: no attribute is assigned or deleted in it, its root is not rebound in it, and no method of
an object whose attributes it reads is called in it (its other calls are checked pure, as for plain
names). Reading `self.x` once where the loop read it per iteration assumes a plain attribute, which
returns the same object each time: where the class is in sight (the loop is in one of its methods),
an attribute it defines with a `def` (a property) or binds in its body by a call (a descriptor), and a
class that defines `__getattr__`/`__getattribute__`, decline; where it is not in sight (an argument,
an object of an imported class), the assumption is made.
"""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from optadvise.rewriters.base import Decline
from optadvise.rewriters.cst import Tree, dotted

LOOKUP_HOOKS = ("__getattr__", "__getattribute__")
PLAIN_CLASS_VALUES = ("numpy.", "dataclasses.field")  # class-body calls that make no descriptor


def dotted_key(node: cst.CSTNode) -> str | None:
    """`a` for a variable, `a.b.c` for an attribute chain rooted at one; None for anything else."""
    return dotted(node) if isinstance(node, (cst.Name, cst.Attribute)) else None


def root_of(key: str) -> str:
    """The variable a dotted name starts from."""
    return key.split(".", 1)[0]


def references(tree: Tree, node: cst.CSTNode) -> Iterator[tuple[str, cst.Name | cst.Attribute]]:
    """Each variable read or bound under `node`, and each attribute chain it starts there (`self`,
    `self.x`, `self.x.shape`), with its dotted key."""
    for n in tree.walk(node):
        if not isinstance(n, cst.Name) or not is_variable(tree, n):
            continue
        yield n.value, n
        cur: cst.Name | cst.Attribute = n
        while cur is not node and isinstance(p := tree.parent.get(cur), cst.Attribute) and p.value is cur:
            cur = p
            yield str(dotted(cur)), cur


def is_variable(tree: Tree, n: cst.Name) -> bool:
    """`n` names a variable (not an attribute, a keyword argument, a def or class)."""
    p = tree.parent.get(n)
    return not (isinstance(p, cst.Attribute) and p.attr is n or isinstance(p, cst.Arg) and p.keyword is n
                or isinstance(p, (cst.FunctionDef, cst.ClassDef)) and p.name is n)


def chains(tree: Tree, node: cst.CSTNode) -> set[str]:
    """The dotted keys of the attribute chains under `node`."""
    return {k for k, _ in references(tree, node) if "." in k}


def object_roots(tree: Tree, node: cst.CSTNode) -> set[str]:
    """The variables under `node` whose attributes are read other than to call them (`self` of
    `self.x[i]`, not `rng` of `rng.random()`), modules imported under a name excluded."""
    modules = set(tree.aliases) | {p.split(".")[0] for p in tree.plain_imports}
    read = {root_of(k) for k, n in references(tree, node) if "." in k and not _called(tree, n)}
    return read - modules


def _called(tree: Tree, n: cst.CSTNode) -> bool:
    p = tree.parent.get(n)
    return isinstance(p, cst.Call) and p.func is n


def attribute_targets(tree: Tree, node: cst.CSTNode) -> list[cst.Attribute]:
    """The attributes assigned or deleted under `node` (`self.x = ...`, `self.n += 1`, `del obj.y`)."""
    out: list[cst.Attribute] = []
    for n in tree.walk(node):
        if isinstance(n, (cst.AssignTarget, cst.AugAssign, cst.AnnAssign, cst.For, cst.CompFor, cst.Del,
                          cst.WithItem)):
            target = n.asname.name if isinstance(n, cst.WithItem) and n.asname else getattr(n, "target", None)
            out.extend(t for t in _unpacked(target) if isinstance(t, cst.Attribute))
    return out


def _unpacked(target: cst.CSTNode | None) -> list[cst.CSTNode]:
    if isinstance(target, (cst.Tuple, cst.List)):
        return [t for e in target.elements for t in _unpacked(e.value)]
    if isinstance(target, cst.StarredElement):
        return _unpacked(target.value)
    return [target] if target is not None else []


def check_attributes(tree: Tree, scope: cst.CSTNode, loop: cst.CSTNode) -> None:
    """Decline unless every attribute chain `loop` reads holds one object for the whole loop."""
    stored = attribute_targets(tree, loop)
    if stored:
        raise Decline(f"the loop assigns the attribute `{tree.code(stored[0]).strip()}` (an object's "
                      "attributes are then not loop-invariant)")
    roots = object_roots(tree, loop)
    for n in tree.walk(loop):
        if isinstance(n, cst.Call) and isinstance(n.func, cst.Attribute) and root_of(dotted(n.func) or "") in roots:
            raise Decline(f"the loop calls `{tree.code(n.func).strip()}`, a method that may rebind the "
                          "attributes it reads")
    for key in sorted(chains(tree, loop)):
        if root_of(key) not in roots:
            continue
        cls = instance_class(tree, scope, root_of(key))
        why = class_hazard(tree, cls, key.split(".")[1]) if cls is not None else None
        if why is not None:
            raise Decline(f"`{key}` may not be a plain attribute: {why}")


def instance_class(tree: Tree, scope: cst.CSTNode, root: str) -> cst.ClassDef | None:
    """The class defined in this module whose instance `root` is: the first parameter, never rebound,
    of a method (`scope`, not a staticmethod) written in that class's body."""
    if not isinstance(scope, cst.FunctionDef):
        return None
    params = [*scope.params.posonly_params, *scope.params.params]
    block = tree.parent.get(scope)
    cls = tree.parent.get(block) if isinstance(block, cst.IndentedBlock) else None
    if not params or params[0].name.value != root or not isinstance(cls, cst.ClassDef) \
            or any(dotted(d.decorator) == "staticmethod" for d in scope.decorators) \
            or root in tree.stores(scope.body):
        return None
    return cls


def class_hazard(tree: Tree, cls: cst.ClassDef, attr: str) -> str | None:
    """Why reading `attr` of an instance of `cls` may not return the same object each time, from what
    the class and its bases defined in this module show; None when nothing in sight says so."""
    for c in visible_classes(tree, cls):
        for s in class_body(c):
            if isinstance(s, cst.FunctionDef) and s.name.value in LOOKUP_HOOKS:
                return f"`{c.name.value}` defines `{s.name.value}`"
            if isinstance(s, cst.FunctionDef) and s.name.value == attr:
                return f"`{c.name.value}` defines `{attr}` with a def (a property or method)"
            for small in s.body if isinstance(s, cst.SimpleStatementLine) else ():
                value = getattr(small, "value", None)
                if isinstance(small, (cst.Assign, cst.AnnAssign)) and isinstance(value, cst.Call) \
                        and attr in _bound(small) \
                        and not (tree.resolve(value.func) or "").startswith(PLAIN_CLASS_VALUES):
                    return f"`{c.name.value}` binds `{attr}` in its body by a call (a descriptor)"
    return None


def _bound(small: cst.Assign | cst.AnnAssign) -> set[str]:
    targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else [small.target]
    return {leaf.value for t in targets for leaf in _unpacked(t) if isinstance(leaf, cst.Name)}


def class_body(cls: cst.ClassDef) -> list[cst.BaseStatement]:
    return list(cls.body.body) if isinstance(cls.body, cst.IndentedBlock) else []


def visible_classes(tree: Tree, cls: cst.ClassDef) -> list[cst.ClassDef]:
    """`cls` and, transitively, the bases of it that this module defines at its top level."""
    top = {s.name.value: s for s in tree.module.body if isinstance(s, cst.ClassDef)}
    out, todo = [], [cls]
    while todo:
        c = todo.pop()
        if c in out:
            continue
        out.append(c)
        todo.extend(top[b.value.value] for b in c.bases
                    if b.keyword is None and isinstance(b.value, cst.Name) and b.value.value in top)
    return out


Binding = tuple[cst.CSTNode, cst.BaseExpression]  # the scope a value is computed in, and the value


def attribute_assignments(tree: Tree, cls: cst.ClassDef, attr: str) -> list[Binding] | None:
    """(scope, value) of every binding of `attr` in the module, when each is `self.attr = value` in a
    method of `cls` (`self` its instance, as `instance_class` reads it) or `attr = value` in its body;
    None when anything else may set it (another object's `.attr`, `setattr`, an augmented assignment)."""
    out: list[Binding] = []
    for n in tree.walk(tree.module):
        if isinstance(n, cst.Call) and tree.resolve(n.func) in ("setattr", "delattr"):
            return None
        if not isinstance(n, (cst.Assign, cst.AugAssign, cst.AnnAssign)):
            continue
        targets = [t.target for t in n.targets] if isinstance(n, cst.Assign) else [n.target]
        leaves = [leaf for t in targets for leaf in _unpacked(t)]
        for t in (t for t in leaves if isinstance(t, cst.Attribute) and t.attr.value == attr):
            method = next((a for a in tree.ancestors(n) if isinstance(a, cst.FunctionDef)), None)
            owner = instance_class(tree, method, str(dotted(t.value))) if method is not None else None
            if owner is not cls or not isinstance(n, cst.Assign) or len(targets) != 1 or n.targets[0].target is not t:
                return None
            out.append((method, n.value))  # type: ignore[arg-type]
    for s in class_body(cls):
        for small in s.body if isinstance(s, cst.SimpleStatementLine) else ():
            if isinstance(small, cst.Assign) and attr in _bound(small):
                if len(small.targets) != 1 or not isinstance(small.targets[0].target, cst.Name):
                    return None
                out.append((tree.module, small.value))
    return out
