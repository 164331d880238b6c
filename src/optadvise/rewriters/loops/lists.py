"""Python lists of floats at a loop nest's boundary: converted to arrays once before the nest, read
there as arrays whose elements stand for Python floats, and lists the nest fills converted back with
`.tolist()` after it.

Only what can be shown safe is converted: lists the profile saw holding Python floats (int lists
decline: int64 may overflow where Python ints do not), read inside the nest through full-depth
subscripts (`X[i][p]`), `len()` or direct iteration; a list the nest writes must be a fresh
float-filled allocation in the same scope that nothing can alias before the nest and that is never
grown after it. Anything else declines with its reason.
"""

from __future__ import annotations

from dataclasses import replace

import libcst as cst
import libcst.matchers as m

from optadvise.model import MODULE, Finding, Profile
from optadvise.rewriters.base import Decline
from optadvise.rewriters.cst import Edits, Tree, finish, stmt
from optadvise.rewriters.loops.site import last_assignment_before, module_name, qualname

BOUNDARY = "list_boundary"  # finding evidence key: array name -> ndim of the lists converted here
GROWERS = {"append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse"}


def seen_lists(tree: Tree, scope: cst.CSTNode, finding: Finding, profile: Profile | None) -> dict[str, tuple[int, str]]:
    """Name -> (ndim, element type) of the Python lists of numbers the profile (or the finding) saw."""
    fname = qualname(tree, scope) if not isinstance(scope, cst.Module) else MODULE
    local = tree.stores(scope) if not isinstance(scope, cst.Module) else set()  # shadow module names
    out: dict[str, tuple[int, str]] = {}
    arrays = set()
    for a in profile.arrays if profile else []:
        mine = a.function in (fname, finding.function)
        if a.kind == "list" and (mine or a.function == MODULE and a.name not in local):
            if mine or a.name not in out:
                out[a.name] = (len(a.shape), a.dtype)
        elif a.kind != "list" and mine:
            arrays.add(a.name)
    ev = finding.evidence.get("arrays") if isinstance(finding.evidence, dict) else None
    for k, v in (ev.items() if isinstance(ev, dict) else ()):  # without a profile: where is not known
        if profile is None and isinstance(v, dict) and v.get("kind") == "list" and k not in local:
            out[k] = (len(v.get("shape", ())), str(v.get("dtype", "")))
    for name in arrays & set(out):  # seen as an array here too: not a list to convert
        del out[name]
    return out


def _chain(tree: Tree, name: cst.Name) -> tuple[cst.CSTNode, int]:
    """The outermost subscript of `name[...][...]` (or the name itself) and its depth."""
    node: cst.CSTNode = name
    depth = 0
    while isinstance(p := tree.parent.get(node), cst.Subscript) and p.value is node:
        node, depth = p, depth + 1
    return node, depth


def _is_len_arg(tree: Tree, node: cst.CSTNode) -> bool:
    arg = tree.parent.get(node)
    call = tree.parent.get(arg) if isinstance(arg, cst.Arg) else None
    return isinstance(call, cst.Call) and m.matches(call.func, m.Name("len")) and len(call.args) == 1


def _zipped(tree: Tree, node: cst.CSTNode) -> bool:
    """`node` is an argument of the `zip(...)` a for loop or comprehension iterates."""
    arg = tree.parent.get(node)
    call = tree.parent.get(arg) if isinstance(arg, cst.Arg) and arg.keyword is None and not arg.star else None
    head = tree.parent.get(call) if isinstance(call, cst.Call) and m.matches(call.func, m.Name("zip")) else None
    return isinstance(head, (cst.For, cst.CompFor)) and head.iter is call


def _uses(tree: Tree, loop: cst.CSTNode, name: str, ndim: int) -> tuple[bool, bool]:
    """(read, written) of list `name` inside the nest; declines any other use."""
    read = written = False
    for n in tree.name_nodes(loop, name):
        top, depth = _chain(tree, n)
        parent = tree.parent.get(top)
        if depth < ndim and _is_len_arg(tree, top):
            continue
        if depth == 0 and ndim == 1 and (isinstance(parent, (cst.For, cst.CompFor)) and parent.iter is top
                                          or _zipped(tree, top)):
            read = True
            continue
        if depth != ndim:
            raise Decline(f"`{name}` ({ndim}-D list) is used other than element by element in the loop")
        if any(isinstance(e.slice, cst.Slice) for sub in tree.walk(top) if isinstance(sub, cst.Subscript)
               and tree.inside(n, sub.value) for e in sub.slice):
            raise Decline(f"`{name}` is sliced in the loop (a slice of an array is not a list)")
        if isinstance(parent, cst.AugAssign) and parent.target is top:
            raise Decline(f"an element of list `{name}` is updated in place in the loop")
        if isinstance(parent, cst.AssignTarget):
            written = True
        elif isinstance(parent, (cst.Attribute, cst.Del)):
            raise Decline(f"an element of `{name}` is used through an attribute or deleted in the loop")
        else:
            read = True
    return read, written


def _written_roots(tree: Tree, loop: cst.CSTNode) -> set[str]:
    """Names whose elements the loop assigns (`Z[i][j] = ...`)."""
    out = set()
    for n in tree.walk(loop):
        target = n.target if isinstance(n, (cst.AssignTarget, cst.AugAssign)) else None
        if isinstance(target, cst.Subscript):
            root: cst.BaseExpression = target
            while isinstance(root, cst.Subscript):
                root = root.value
            if isinstance(root, cst.Name):
                out.add(root.value)
    return out


def fill_ndim(value: cst.BaseExpression, top: bool = True) -> int | None:
    """The depth of a fresh list of float literals (`[0.0] * n`: 1, `[[0.0] * m for _ in ...]`: 2,
    `[0.0 for _ in ...]`: 1), None for anything else (`[[0.0] * m] * n` repeats one row object)."""
    if not top:
        v = value.expression if isinstance(value, cst.UnaryOperation) else value
        if isinstance(v, cst.Float):
            return 0
    if isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.Multiply) \
            and isinstance(value.left, cst.List) and len(value.left.elements) == 1:
        inner = value.left.elements[0].value
        v = inner.expression if isinstance(inner, cst.UnaryOperation) else inner
        return 1 if isinstance(v, cst.Float) else None  # only a row of floats may be repeated
    if isinstance(value, cst.ListComp):
        inner_nd = fill_ndim(value.elt, top=False)
        return None if inner_nd is None else inner_nd + 1
    return None


ARITH = (cst.Add, cst.Subtract, cst.Multiply, cst.Divide, cst.FloorDivide, cst.Modulo, cst.Power)


def _float_value(tree: Tree, loop: cst.CSTNode, value: cst.BaseExpression,
                 seen: frozenset[str] = frozenset()) -> bool:
    """`value` is a Python float whatever the list elements hold: arithmetic only, with a float
    literal (or a name the loop binds only to such values) among its operands, since a float mixed
    with ints by arithmetic stays a float. Elements are not trusted to be floats: the profile only
    samples their types."""
    if isinstance(value, cst.Float):
        return True
    if isinstance(value, (cst.Integer, cst.Subscript)):
        return False
    if isinstance(value, cst.UnaryOperation) and isinstance(value.operator, (cst.Minus, cst.Plus)):
        return _float_value(tree, loop, value.expression, seen)
    if isinstance(value, cst.BinaryOperation) and isinstance(value.operator, ARITH):
        sides = [_float_value(tree, loop, v, seen) for v in (value.left, value.right)]
        return any(sides)
    if isinstance(value, cst.Name):
        bound = [a.value for a in tree.walk(loop) if isinstance(a, cst.Assign) and any(
            m.matches(t.target, m.Name(value.value)) for t in a.targets)]
        return value.value not in seen and bool(bound) and all(
            _float_value(tree, loop, v, seen | {value.value}) for v in bound)
    raise Decline(f"cannot show that `{tree.code(value)}`, stored into a list, is a Python float")


def _check_output(tree: Tree, scope: cst.CSTNode, loop: cst.For, name: str, ndim: int) -> None:
    """A list the nest writes: a fresh float allocation just before it, unaliased, never grown after."""
    block = tree.parent.get(loop)
    body = list(block.body) if isinstance(block, (cst.Module, cst.IndentedBlock)) else []
    if loop not in body:
        raise Decline(f"the loop writing list `{name}` is not a statement of its block")
    alloc = None
    for s in reversed(body[: body.index(loop)]):
        if m.matches(s, m.SimpleStatementLine(body=[m.Assign(targets=[m.AssignTarget(target=m.Name(name))])])):
            alloc = s
            break
        for n in tree.name_nodes(s, name):  # between the allocation and the loop: element reads only
            if _chain(tree, n)[1] != ndim and not _is_len_arg(tree, n):
                raise Decline(f"list `{name}` may be aliased or changed before the loop (line {tree.line(n)})")
    assign = alloc.body[0] if isinstance(alloc, cst.SimpleStatementLine) else None
    if not isinstance(alloc, cst.SimpleStatementLine) or not isinstance(assign, cst.Assign) \
            or fill_ndim(assign.value) != ndim:
        raise Decline(f"the loop writes list `{name}`, which is not a fresh list of floats allocated before it")
    root = tree.module if isinstance(scope, cst.Module) else scope
    for n in tree.name_nodes(root, name):
        if tree.line(n) > tree.end_line(loop):
            attr = tree.parent.get(n)
            if isinstance(attr, cst.Attribute) and attr.value is n and attr.attr.value in GROWERS:
                raise Decline(f"list `{name}` is changed in place after the loop (`.{attr.attr.value}`)")
        elif tree.line(n) < tree.line(alloc) and not isinstance(scope, cst.Module):
            raise Decline(f"`{name}` is bound more than once in the function")
    if isinstance(scope, cst.Module) and any(
            tree.nested_scope(n, scope) for n in tree.name_nodes(tree.module, name)):
        raise Decline(f"module-level list `{name}` is also used inside a function")


def at_boundary(tree: Tree, scope: cst.CSTNode, loop: cst.CSTNode, finding: Finding,
                profile: Profile | None) -> tuple[str, Finding] | None:
    """The source with the float lists of a loop nest (or of a comprehension) converted around it
    (the nest renamed to read the arrays), and the finding moved to its new line; None when the nest
    touches no list."""
    anchor = loop if isinstance(loop, (cst.For, cst.While)) else tree.statement_of(loop)
    lists = seen_lists(tree, scope, finding, profile)
    for name in _written_roots(tree, loop) - set(lists):  # outputs the profile may not have seen
        fill = last_assignment_before(tree, anchor, name)
        nd = fill_ndim(fill) if fill is not None else None
        if nd is not None:
            lists[name] = (nd, "float")
        elif isinstance(fill, (cst.List, cst.ListComp)) or isinstance(fill, cst.BinaryOperation) \
                and isinstance(fill.left, cst.List):
            raise Decline(f"the loop writes list `{name}`, which is not a fresh list of floats allocated before it")
    touched = {k: v for k, v in lists.items() if tree.name_nodes(loop, k)}
    if not touched:
        return None
    if isinstance(loop, cst.While):
        raise Decline("a while loop over Python lists is not converted")
    if not isinstance(anchor, (cst.For, cst.SimpleStatementLine)):
        raise Decline("a comprehension over Python lists in a compound statement's header is not converted")
    if any(len(tree.name_nodes(anchor, k)) != len(tree.name_nodes(loop, k)) for k in touched):
        raise Decline("the statement uses the list outside the comprehension too")
    if isinstance(loop, cst.ListComp) and not _float_value(tree, loop, loop.elt):
        raise Decline(f"the comprehension may build a list of non-floats (`{tree.code(loop.elt)}`)")
    for name, (ndim, dtype) in sorted(touched.items()):
        if dtype == "int":
            raise Decline(f"`{name}` is a list of Python ints: int64 could overflow where Python ints do not")
        if dtype != "float" or ndim not in (1, 2):
            raise Decline(f"`{name}` is a list of {dtype or 'unknown'} elements (mixed, ragged or not numbers)")
    np, _ = module_name(tree, "numpy")  # the import, if missing, is added with the vectorised nest
    before: list[str] = []
    after: list[str] = []
    renames: dict[str, str] = {}
    for name, (ndim, _) in sorted(touched.items()):
        read, written = _uses(tree, loop, name, ndim)
        if not (read or written):
            continue
        if written:
            assert isinstance(loop, cst.For)  # comprehensions assign no subscripts
            _check_output(tree, scope, loop, name, ndim)
            for n in tree.name_nodes(loop, name):
                top = _chain(tree, n)[0]
                target = tree.parent.get(top)
                assign = tree.parent.get(target) if isinstance(target, cst.AssignTarget) else None
                if isinstance(assign, cst.Assign) and not _float_value(tree, loop, assign.value):
                    raise Decline(f"the loop may store non-floats into list `{name}` (`{tree.code(assign.value)}`)")
        arr = tree.fresh(f"{name}_arr")
        renames[name] = arr
        before.append(f"{arr} = {np}.array({name}, dtype=float)\n")
        if written:
            after.append(f"{name} = {arr}.tolist()\n")
    if not renames:
        return None
    renamed = anchor.visit(_Rename({id(n): renames[k] for k in renames for n in tree.name_nodes(loop, k)}))
    assert isinstance(renamed, (cst.For, cst.SimpleStatementLine))
    edits = Edits()
    heads = [stmt(c, tree) for c in before]
    heads[0] = heads[0].with_changes(leading_lines=anchor.leading_lines)
    new = heads + [renamed.with_changes(leading_lines=())] + [stmt(c, tree) for c in after]
    edits.replace[id(anchor)] = cst.FlattenSentinel(new)
    code = finish(tree, edits)
    shift = len(before)
    evidence = {**finding.evidence, BOUNDARY: {renames[k]: touched[k][0] for k in renames}}
    return code, replace(finding, lineno=finding.lineno + shift,
                         end_lineno=(finding.end_lineno or finding.lineno) + shift, evidence=evidence)


class _Rename(cst.CSTTransformer):
    """Renames the given Name nodes (by identity): variables only, never attributes or keywords."""

    def __init__(self, renames: dict[int, str]):
        super().__init__()
        self.renames = renames

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        new = self.renames.get(id(original_node))
        return updated_node.with_changes(value=new) if new else updated_node
