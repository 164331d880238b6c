"""Rewriter `vectorize`: a Python loop over array elements becomes whole-array NumPy statements.

Handles element-wise maps (math.* -> NumPy ufuncs, conditionals -> np.where), reductions (sums, dot
products, counts, running min/max, with `if` filters as masks), constant-offset stencils, rows grown
with np.append/np.concatenate/np.vstack/list.append, iteration over the array itself, 2-D nests, and
per-element state stepped by an inner sequential loop. Legality comes from `vectorize_core`'s
dependence analysis; anything it cannot prove is declined (recurrences are left to `numba`).
"""

from __future__ import annotations

import libcst as cst
from libcst.metadata import ExpressionContext, ExpressionContextProvider

from optadvise.model import Candidate, Finding, Profile
from optadvise.rewriters import register
from optadvise.rewriters.base import Decline, Rewriter
from optadvise.rewriters.cst import Edits, Tree, candidate, finish, stmt
from optadvise.rewriters.loopinfo import fresh_before, gather_facts, loop_at, read_outside
from optadvise.rewriters.vectorize_core import Axis, Elem, Nest


def numpy_name(tree: Tree) -> tuple[str, list[tuple[str, str | None]]]:
    for local, full in tree.aliases.items():
        if full == "numpy":
            return local, []
    return "numpy", [("numpy", None)]


def bindings(tree: Tree, root: cst.CSTNode, name: str) -> list[cst.Name]:
    ctx = tree.wrapper.resolve(ExpressionContextProvider)
    return [n for n in tree.name_nodes(root, name) if ctx.get(n) == ExpressionContext.STORE]


def full_of(tree: Tree, scope: cst.CSTNode, node: cst.BaseExpression, nest: Nest, follow: bool = True):  # type: ignore[no-untyped-def]
    """(array, dim) when `node` is that array's length along dim (len(a), a.shape[d], a.size, or a name
    bound once to one of those, or unpacked from `a.shape`)."""
    if isinstance(node, cst.Call) and tree.resolve(node.func) == "len" and len(node.args) == 1 \
            and isinstance(node.args[0].value, cst.Name):
        return node.args[0].value.value, 0
    if isinstance(node, cst.Subscript) and isinstance(node.value, cst.Attribute) and node.value.attr.value == "shape" \
            and isinstance(node.value.value, cst.Name) and len(node.slice) == 1 \
            and isinstance(node.slice[0].slice, cst.Index) and isinstance(node.slice[0].slice.value, cst.Integer):
        return node.value.value.value, int(node.slice[0].slice.value.value)
    if isinstance(node, cst.Attribute) and node.attr.value == "size" and isinstance(node.value, cst.Name) \
            and nest.facts.ndim(node.value.value) == 1:
        return node.value.value, 0
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
            at = tree.parent.get(tup)
            asg = tree.parent.get(at) if isinstance(at, cst.AssignTarget) else None
            if isinstance(asg, cst.Assign) and isinstance(asg.value, cst.Attribute) \
                    and asg.value.attr.value == "shape" and isinstance(asg.value.value, cst.Name):
                res = asg.value.value.value, list(tup.elements).index(par)  # type: ignore[attr-defined]
        if res is None:
            return None
        if any(tree.line(x) >= tree.line(b) for x in bindings(tree, root, res[0])):
            return None  # the array is rebound after its length was taken
        return res
    return None


def build_axes(tree: Tree, scope: cst.CSTNode, loops: list[cst.For], nest: Nest) -> None:
    for lp in loops:
        if not isinstance(lp, cst.For) or lp.orelse is not None or lp.asynchronous is not None:
            raise Decline("not a plain for loop")
        it, tgt, k = lp.iter, lp.target, len(nest.axes)
        fn = tree.resolve(it.func) if isinstance(it, cst.Call) else None
        if fn == "range" and isinstance(tgt, cst.Name):
            args = [a.value for a in it.args]  # type: ignore[union-attr]
            if not 1 <= len(args) <= 3 or any(a.keyword or a.star for a in it.args):  # type: ignore[union-attr]
                raise Decline("unusual range() call")
            if len(args) == 3 and not (isinstance(args[2], cst.Integer) and args[2].value == "1"):
                raise Decline("range() with a step other than 1")
            start = 0
            if len(args) >= 2:
                if not isinstance(args[0], cst.Integer):
                    raise Decline("range() with a start that is not a non-negative integer literal")
                start = int(args[0].value, 0)
            stop = args[1] if len(args) >= 2 else args[0]
            for a in args:
                nest.invariant(a)
            nest.axes.append(Axis(tgt.value, start, nest.code(stop), full_of(tree, scope, stop, nest)))
            continue
        if fn == "enumerate" and isinstance(tgt, cst.Tuple) and len(it.args) == 1 and len(tgt.elements) == 2 \
                and all(isinstance(e.value, cst.Name) for e in tgt.elements):  # type: ignore[union-attr]
            src, var, elem = it.args[0].value, tgt.elements[0].value.value, tgt.elements[1].value.value  # type: ignore
        elif isinstance(tgt, cst.Name):
            src, var, elem = it, None, tgt.value
        else:
            raise Decline("loop header is not range(), enumerate(array) or an array")
        if not isinstance(src, cst.Name):
            raise Decline("loop iterates over a computed value")
        base = nest.env.get(src.value)
        arr, prefix = (base.array, base.prefix) if isinstance(base, Elem) else (src.value, ())
        if not isinstance(base, Elem) and src.value in nest.assigned:
            raise Decline("loop iterates over a name rebound in the loop")
        nd = nest.facts.ndim(arr)
        if nd is None or nd <= len(prefix):
            raise Decline(f"cannot tell that `{arr}` is an array of enough dimensions")
        stop = f"len({arr})" if not prefix else f"{arr}.shape[{len(prefix)}]"
        nest.axes.append(Axis(var, 0, stop, (arr, len(prefix))))
        nest.env[elem] = Elem(arr, prefix + (k,))
        nest.iterated.add(arr)


def translate(tree: Tree, scope: cst.CSTNode, loops: list[cst.For], finding: Finding,
              profile: Profile | None, np: str) -> Nest:
    outer, body = loops[0], list(loops[-1].body.body)
    names = {n.value for n in tree.walk(outer) if isinstance(n, cst.Name)}
    facts = gather_facts(tree, scope, finding, profile, names)
    assigned = tree.stores(outer)
    nest = Nest(tree, np, facts, [], {}, assigned, loop_stmt=outer)
    for s in body:
        for n in tree.walk(s):
            tgt = n.target if isinstance(n, cst.AugAssign) else None
            for t in ([x.target for x in n.targets] if isinstance(n, cst.Assign) else [tgt] if tgt else []):
                if isinstance(t, cst.Subscript):
                    base = t
                    while isinstance(base, cst.Subscript):
                        base = base.value
                    if isinstance(base, cst.Name):
                        nest.written.add(base.value)
                elif isinstance(t, cst.Name):
                    nest.assign_count[t.value] = nest.assign_count.get(t.value, 0) + 1
    build_axes(tree, scope, loops, nest)
    nest.written = {e.array if isinstance(e := nest.env.get(w), Elem) else w for w in nest.written}
    nest.body(body)
    if not nest.out:
        raise Decline("the loop has no effect that outlives it")
    arrays = {a.array for _, a, _ in nest.accesses}
    nest.fresh_ok = {a for a in arrays if fresh_before(tree, outer, a)}
    nest.check_dependences()
    leaked = (assigned - nest.results) & read_outside(tree, scope, outer)
    if leaked:
        raise Decline(f"`{sorted(leaked)[0]}` (set in the loop) is read after it; its final value would change")
    return nest


def child_loops(block: cst.CSTNode) -> list[cst.For | cst.While]:
    out: list[cst.For | cst.While] = []
    for s in getattr(getattr(block, "body", None), "body", ()):
        if isinstance(s, (cst.For, cst.While)):
            out.append(s)
        elif isinstance(s, (cst.If, cst.With, cst.Try)):
            out.extend(child_loops(s))
            orelse = getattr(s, "orelse", None)
            while orelse is not None:
                out.extend(child_loops(orelse))
                orelse = getattr(orelse, "orelse", None)
    return out


def vectorize_region(tree: Tree, scope: cst.CSTNode, loop: cst.CSTNode, finding: Finding,
                     profile: Profile | None, np: str) -> list[tuple[cst.For, Nest]]:
    """The vectorized nests for this loop: the loop itself (as deep a perfect nest as works), or
    failing that the loops inside it."""
    errors: list[Decline] = []
    if isinstance(loop, cst.For):
        chain = [loop]
        while len(chain[-1].body.body) == 1 and isinstance(chain[-1].body.body[0], cst.For):
            chain.append(chain[-1].body.body[0])
        for d in range(len(chain), 0, -1):
            try:
                return [(loop, translate(tree, scope, chain[:d], finding, profile, np))]
            except Decline as e:
                errors.append(e)
    else:
        errors.append(Decline("while loops are not vectorized"))
    found: list[tuple[cst.For, Nest]] = []
    for sub in child_loops(loop):
        try:
            found.extend(vectorize_region(tree, scope, sub, finding, profile, np))
        except Decline as e:
            errors.append(e)
    if found:
        return found
    raise errors[0]


def rtol_for(nests: list[Nest]) -> tuple[float, str]:
    low = any(d in ("float32", "float16", "complex64") or d.startswith("int") and d not in ("int64",)
              for n in nests for _, a, _ in n.accesses for d in [n.facts.dtype(a.array)])
    if any(n.reductions for n in nests):
        return (1e-4 if low else 1e-7), "reductions are summed in a different order (pairwise/BLAS)"
    return (1e-5 if low else 1e-9), "element-wise: same operations per element"


@register
class Vectorize(Rewriter):
    """Whole-array NumPy for loops whose iterations are independent (or reduce/append)."""

    kind = "vectorize"

    def propose(self, source: str, finding: Finding, profile: Profile | None) -> list[Candidate]:
        tree = Tree(source)
        loop = loop_at(tree, finding.lineno)
        scope = tree.scope_of(loop)
        np, imports = numpy_name(tree)
        nests = vectorize_region(tree, scope, loop, finding, profile, np)
        edits = Edits()
        for lp, nest in nests:
            new = [stmt(code + "\n", tree) for code in nest.out]
            new[0] = new[0].with_changes(leading_lines=lp.leading_lines)
            edits.replace[id(lp)] = cst.FlattenSentinel(new)
        code = finish(tree, edits, imports)
        rtol, why = rtol_for([n for _, n in nests])
        lines = ", ".join(str(tree.line(lp)) for lp, _ in nests)
        first = nests[0][1].out[0].splitlines()[0]
        return [candidate(self.kind, finding, source, code,
                          f"vectorize the loop at line {lines} with whole-array NumPy (`{first}` ...)",
                          rtol, why)]
