"""Loop headers to nest axes: `range(start, stop)` (step 1; start a literal, an outer index plus a
literal, or a loop-invariant linear form such as `r` checked non-negative at run time),
`enumerate(a)` and `for x in a`, and the array length a loop bound equals (so a full-length slice
can be written `a`, and bounds can be proven against lengths).
"""

from __future__ import annotations

import libcst as cst
import libcst.matchers as m

from optadvise.rewriters.base import Decline
from optadvise.rewriters.cst import Tree
from optadvise.rewriters.loops.attributes import attribute_targets, dotted_key, root_of
from optadvise.rewriters.loops.facts import LIKE, SHAPE_ARG
from optadvise.rewriters.loops.indexing import PURE_BUILTINS, Indexing
from optadvise.rewriters.loops.linear import Lin, linear
from optadvise.rewriters.loops.site import bindings, last_assignment_before
from optadvise.rewriters.loops.values import Axis, Elem

LENGTH = "len:"  # prefix of the symbol of an array's length along a dimension, in bound proofs
SHAPE_ITEM = m.Subscript(value=m.Attribute(attr=m.Name("shape")),
                         slice=[m.SubscriptElement(slice=m.Index(value=m.Integer()))])  # `a.shape[d]`
QUIET_CALLS = {f"numpy.{f}" for f in SHAPE_ARG | LIKE} | PURE_BUILTINS  # calls that rebind no attribute


def full_of(tree: Tree, scope: cst.CSTNode, node: cst.BaseExpression, nest: Indexing,
            follow: bool = True) -> tuple[str, int] | None:
    """(array, dim) when `node` is that array's length along dim (len(a), a.shape[d], a.size, or a name
    bound once to one of those, or unpacked from `a.shape`); the array may be an attribute chain
    (`self.x.shape`), then one that no call or assignment between the binding and the loop may rebind."""
    if isinstance(node, cst.Call) and len(node.args) == 1 and tree.resolve(node.func) == "len" \
            and dotted_key(node.args[0].value) and node.args[0].keyword is None and not node.args[0].star:
        return str(dotted_key(node.args[0].value)), 0
    if m.matches(node, SHAPE_ITEM) and dotted_key(node.value.value):  # type: ignore[attr-defined]
        return str(dotted_key(node.value.value)), int(node.slice[0].slice.value.value)  # type: ignore[attr-defined]
    if m.matches(node, m.Attribute(attr=m.Name("size"))) \
            and nest.facts.ndim(dotted_key(node.value) or "") == 1:  # type: ignore[attr-defined]
        return str(dotted_key(node.value)), 0  # type: ignore[attr-defined]
    if isinstance(node, cst.Name) and follow:
        root = tree.module if isinstance(scope, cst.Module) else scope
        bs = bindings(tree, root, node.value)
        if len(bs) != 1:
            return None
        b = bs[0]
        par = tree.parent.get(b)
        res = None
        if isinstance(par, cst.AssignTarget) and isinstance(tree.parent.get(par), cst.Assign):
            res = full_of(tree, scope, tree.parent[par].value, nest, False)  # type: ignore[attr-defined]
        elif isinstance(par, cst.Element) and isinstance(tree.parent.get(par), cst.Tuple):
            tup = tree.parent[par]
            assert isinstance(tup, cst.Tuple)
            at = tree.parent.get(tup)
            asg = tree.parent.get(at) if isinstance(at, cst.AssignTarget) else None
            k = list(tup.elements).index(par)
            if asg is not None and m.matches(asg, m.Assign(value=m.Attribute(attr=m.Name("shape")))) \
                    and dotted_key(asg.value.value):  # type: ignore[attr-defined]
                res = str(dotted_key(asg.value.value)), k  # type: ignore[attr-defined]
            elif isinstance(asg, cst.Assign) and isinstance(asg.value, cst.Tuple) \
                    and len(asg.value.elements) == len(tup.elements):  # `n, m = len(a), len(b)`
                res = full_of(tree, scope, asg.value.elements[k].value, nest, False)
        if res is None:
            return None
        if "." in res[0]:
            return res if nest.loop_stmt is not None and quiet_between(
                tree, tree.statement_of(b), nest.loop_stmt, root_of(res[0])) else None
        if any(tree.line(x) >= tree.line(b) for x in bindings(tree, root, res[0])):
            return None  # the array is rebound after its length was taken
        return res
    return None


def quiet_between(tree: Tree, first: cst.BaseStatement, loop: cst.CSTNode, root: str) -> bool:
    """`loop` is (inside) a later statement of the block of `first`, and from `first` to the loop
    nothing calls anything but a builtin or a NumPy allocation, assigns an attribute or rebinds
    `root`: an attribute chain from `root` read by `first` holds the same object when the loop starts."""
    block = tree.parent.get(first)
    body = list(block.body) if isinstance(block, (cst.Module, cst.IndentedBlock)) else []
    anchor = tree.top_statement_in(loop, block) if block is not None else None
    if anchor is None or first not in body or body.index(anchor) <= body.index(first):
        return False
    span = body[body.index(first):body.index(anchor) + 1]
    if any(attribute_targets(tree, s) or root in tree.stores(s) for s in span):
        return False
    stack: list[cst.CSTNode] = list(span)
    while stack:
        n = stack.pop()
        if isinstance(n, cst.Call) and tree.resolve(n.func) not in QUIET_CALLS:
            return False
        stack.extend(c for c in n.children if c is not loop)
    return True


def range_start(tree: Tree, loop: cst.For, start: cst.BaseExpression, nest: Indexing) -> tuple[str, int]:
    """(base, offset) of a range() start: a non-negative integer literal, `i`/`i + c` (c >= 0) with `i`
    the index of an enclosing `for i in range(...)` counting up from a non-negative literal, or a
    linear form over loop-invariant names that is non-negative (`r`, `2 * r + 1`; the names checked
    `>= 0` at run time where no length vouches for them)."""
    if isinstance(start, cst.Integer):
        return "", int(start.value, 0)
    name, off = start, 0
    if isinstance(start, cst.BinaryOperation) and isinstance(start.operator, cst.Add) \
            and isinstance(start.right, cst.Integer):
        name, off = start.left, int(start.right.value, 0)
    if isinstance(name, cst.Name) and any(
            isinstance(lp.target, cst.Name) and lp.target.value == name.value and counts_up(tree, lp.iter)
            for lp in enclosing_loops(tree, loop)):
        return name.value, off
    form = linear(start, nest.symbol)
    if form is not None and not any(nest.axis_of(s) is not None or s in nest.windows for s in form.symbols()):
        checks = sign_checks(tree, nest, form)
        if checks is not None:
            nest.require(checks)
            return nest.code(start), 0
    raise Decline("range() with a start that is neither a non-negative integer literal nor an outer index")


def canonical(tree: Tree, nest: Indexing, form: Lin) -> Lin:
    """`form` with names and expressions that equal an array's length replaced by that length's
    symbol (`len:a:0`), so `n - 1 - len(a)` with `n = len(a)` cancels."""
    scope = tree.scope_of(nest.loop_stmt) if nest.loop_stmt is not None else tree.module
    out = Lin((), form.const)
    for s, c in form.terms:
        got = None
        if not s.startswith(LENGTH):
            try:
                got = full_of(tree, scope, cst.parse_expression(s), nest)
            except cst.ParserSyntaxError:
                pass
        out = out + Lin.of(f"{LENGTH}{got[0]}:{got[1]}" if got else s, c)
    return out


def set_non_negative(tree: Tree, nest: Indexing, name: str) -> bool:
    """`name` was last set, just before the loop, to a value that cannot be negative (`r = 3`,
    `r = len(w) // 2`)."""
    loop = nest.loop_stmt
    value = last_assignment_before(tree, loop, name) if isinstance(loop, cst.BaseStatement) else None
    return value is not None and non_negative_value(tree, nest, value)


def non_negative_value(tree: Tree, nest: Indexing, e: cst.BaseExpression) -> bool:
    """A non-negative integer literal, an array length, or sums, products and floor quotients (by a
    positive literal) of those."""
    if isinstance(e, cst.Integer):
        return int(e.value, 0) >= 0
    if isinstance(e, cst.BinaryOperation) and isinstance(e.operator, (cst.Add, cst.Multiply, cst.FloorDivide)):
        if isinstance(e.operator, cst.FloorDivide):
            return isinstance(e.right, cst.Integer) and int(e.right.value, 0) > 0 \
                and non_negative_value(tree, nest, e.left)
        return non_negative_value(tree, nest, e.left) and non_negative_value(tree, nest, e.right)
    scope = tree.scope_of(nest.loop_stmt) if nest.loop_stmt is not None else tree.module
    return not isinstance(e, cst.Name) and full_of(tree, scope, e, nest) is not None


def sign_checks(tree: Tree, nest: Indexing, form: Lin, checked: bool = True) -> list[str] | None:
    """How `form >= 0` holds for every value of its names: [] when proven (a non-negative constant
    plus lengths and names the nest already checks), with `checked` the loop-invariant names to check
    `>= 0` at run time (each with a positive coefficient); None when neither holds."""
    form = canonical(tree, nest, form)
    if form.const < 0:
        return None
    checks: list[str] = []
    for s, c in form.terms:
        if c < 0:
            return None
        if s.startswith(LENGTH) or f"{s} >= 0" in nest.requires or s.isidentifier() and set_non_negative(tree, nest, s):
            continue
        if not (checked and s.isidentifier() and s not in nest.windows):
            return None
        checks.append(f"{s} >= 0")
    return checks


def enclosing_loops(tree: Tree, node: cst.CSTNode) -> list[cst.For]:
    out: list[cst.For] = []
    cur = tree.parent.get(node)
    while cur is not None and not isinstance(cur, (cst.FunctionDef, cst.Module)):
        if isinstance(cur, cst.For):
            out.append(cur)
        cur = tree.parent.get(cur)
    return out


def counts_up(tree: Tree, it: cst.BaseExpression) -> bool:
    """`range(stop)` or `range(c, stop)` with c a non-negative integer literal: indices are >= 0."""
    if not (isinstance(it, cst.Call) and tree.resolve(it.func) == "range") or not 1 <= len(it.args) <= 2:
        return False
    return len(it.args) == 1 or isinstance(it.args[0].value, cst.Integer)


def build_axes(tree: Tree, scope: cst.CSTNode, loops: list[cst.For], nest: Indexing) -> None:
    """One nest axis per loop header (outermost first); iterating an array binds its elements."""
    for lp in loops:
        if not isinstance(lp, cst.For) or lp.orelse is not None or lp.asynchronous is not None:
            raise Decline("not a plain for loop")
        it, tgt, k = lp.iter, lp.target, len(nest.axes)
        call = it if isinstance(it, cst.Call) else None
        fn = tree.resolve(call.func) if call is not None else None
        if call is not None and fn == "range" and isinstance(tgt, cst.Name):
            args = [a.value for a in call.args]
            if not 1 <= len(args) <= 3 or any(a.keyword or a.star for a in call.args):
                raise Decline("unusual range() call")
            if len(args) == 3 and not (isinstance(args[2], cst.Integer) and args[2].value == "1"):
                raise Decline("range() with a step other than 1")
            stop = args[1] if len(args) >= 2 else args[0]
            if not all(nest.invariant(a) for a in args):
                raise Decline("range() bounds that change with an outer loop (a triangle) or within the loop")
            lo, start = range_start(tree, lp, args[0], nest) if len(args) >= 2 else ("", 0)
            nest.axes.append(Axis(tgt.value, start, nest.code(stop), full_of(tree, scope, stop, nest), lo))
            continue
        if call is not None and fn == "zip":
            zip_axis(nest, call, tgt)
            continue
        elems = list(tgt.elements) if isinstance(tgt, cst.Tuple) else []
        names = [e.value.value for e in elems if isinstance(e.value, cst.Name)]
        var: str | None
        if call is not None and fn == "enumerate" and len(call.args) == 1 and len(names) == 2 == len(elems):
            src, var, elem = call.args[0].value, names[0], names[1]
        elif isinstance(tgt, cst.Name):
            src, var, elem = it, None, tgt.value
        else:
            raise Decline("loop header is not range(), enumerate(array), zip(arrays) or an array")
        key = dotted_key(src)
        if key is None:
            raise Decline("loop iterates over a computed value")
        base = nest.env.get(key)
        arr, prefix = (base.array, base.prefix) if isinstance(base, Elem) else (key, ())
        if not isinstance(base, Elem) and root_of(key) in nest.assigned | set(nest.env):
            raise Decline("loop iterates over a name rebound in the loop")
        nd = nest.facts.ndim(arr)
        if nd is None:
            nest.facts.require_array(arr, f"cannot tell that `{arr}` is an array of enough dimensions")
        if nd is None or nd <= len(prefix):
            raise Decline(f"cannot tell that `{arr}` is an array of enough dimensions")
        end = f"len({arr})" if not prefix else f"{arr}.shape[{len(prefix)}]"
        nest.axes.append(Axis(var, 0, end, (arr, len(prefix))))
        nest.env[elem] = Elem(arr, prefix + (k,))
        nest.iterated.add(arr)


def zip_axis(nest: Indexing, call: cst.Call, tgt: cst.BaseAssignTargetExpression) -> None:
    """`for a, b in zip(A, B)`: one axis as long as the shortest array, `a`/`b` their elements (rows)."""
    if not isinstance(tgt, cst.Tuple) or len(tgt.elements) != len(call.args) \
            or not all(isinstance(e.value, cst.Name) for e in tgt.elements) \
            or not all(dotted_key(a.value) and a.keyword is None and not a.star for a in call.args):
        raise Decline("zip() over computed values or unpacked into something other than names")
    arrays = [str(dotted_key(a.value)) for a in call.args]
    for a in arrays:
        if nest.facts.ndim(a) is None:
            nest.facts.require_array(a, f"cannot tell that `{a}` is an array")
        if root_of(a) in nest.assigned or isinstance(nest.env.get(a), Elem):
            raise Decline(f"zip() over `{a}`, which the loop rebinds or which is a row of an outer loop")
    k = len(nest.axes)
    stop = f"len({arrays[0]})" if len(arrays) == 1 else f"min({', '.join(f'len({a})' for a in arrays)})"
    nest.axes.append(Axis(None, 0, stop, (arrays[0], 0) if len(arrays) == 1 else None))
    for e, a in zip(tgt.elements, arrays):
        nest.env[e.value.value] = Elem(a, (k,))  # type: ignore[attr-defined]
        nest.iterated.add(a)
