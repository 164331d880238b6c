"""Rewriter `vectorize`: a Python loop over array elements becomes whole-array NumPy statements.

Handles element-wise maps (math.* -> NumPy ufuncs, conditionals -> np.where), reductions (sums, dot
products, counts, running min/max, with `if` filters as masks), contractions (`@`, `np.einsum`),
constant-offset stencils, rows grown with np.append/np.concatenate/np.vstack/list.append, iteration
over the array itself, nests, per-element state stepped by an inner sequential loop, inner sums
through temporaries (distances, dot products, `sum()` of a generator), window loops kept while the
nest around them becomes slices (`loops/windows`), windows clipped at the array's edges (the
interior where no clamp is active vectorized, the edges kept as loops: `loops/clipped`), `continue`
masks, reads and scatter-adds through computed subscripts (`np.add.at`), running extremes and
argmins kept per element, bodies that work on whole rows (`A[i]` reduced with `np.dot`/`.sum()`/
`np.linalg.norm`, or written back as rows: `loops/rows`, `loops/row_reductions`), transposed reads
as views, loops over `zip(arrays)` and counted `while` loops (`loops/counted`), one-expression
helper functions, and loop bodies split into nests inside the loops around them (fission, with
scratch arrays private to those loops expanded). Arrays that no allocation in sight keeps apart
are checked at run time (`np.may_share_memory`, once before a loop that keeps them), and so are
pivot rows and columns a nest reads while writing (`loops/pivot`), the original loop kept for when
the check fails.
Translation and legality come from `rewriters/loops` (its dependence proof); anything it cannot
prove is declined (recurrences are left to `numba`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import NamedTuple

import libcst as cst
import libcst.matchers as m

from optadvise import examples as ex
from optadvise.model import ArrayInfo, Candidate, Finding, Profile
from optadvise.rewriters import register
from optadvise.rewriters.base import Decline, Rewriter
from optadvise.rewriters.cst import Edits, Tree, candidate, expr, finish, stmt
from optadvise.rewriters.loops.clipped import Split, split_clipped
from optadvise.rewriters.loops.comprehension import comprehension_at, replacement
from optadvise.rewriters.loops.counted import as_for_loop
from optadvise.rewriters.loops.dependence import Access, Verdict, disjoint
from optadvise.rewriters.loops.facts import fresh_around
from optadvise.rewriters.loops.inner_sums import perfect_inner
from optadvise.rewriters.loops.lists import at_boundary
from optadvise.rewriters.loops.pivot import pivot_checked
from optadvise.rewriters.loops.scratch import Scratch, private_scratch
from optadvise.rewriters.loops.site import loop_at, module_name
from optadvise.rewriters.loops.statements import Nest
from optadvise.rewriters.loops.translate import suite_statements, translate


class Piece(NamedTuple):
    """One vectorized nest: the loop statement it replaces (with others sharing it), its translation
    and dependence verdict, and the statements that run after it (a split loop's edges)."""

    loop: cst.For
    nest: Nest
    verdict: Verdict
    after: tuple[cst.BaseStatement, ...] = ()


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
                     profile: Profile | None, np: str) -> list[Piece]:
    """The vectorized nests for this loop: the loop itself (as deep a perfect nest as works), its
    interior with its clipped edges kept as loops, its body split into nests that keep the loops around
    it (fission), or failing that the loops inside it."""
    errors: list[Decline] = []
    if isinstance(loop, cst.For):
        chain = perfect_inner(loop)
        for d in range(len(chain), 0, -1):
            try:
                return [Piece(loop, *translate(tree, scope, chain[:d], finding, profile, np, guard_aliases=True))]
            except Decline as e:
                errors.append(e)
        try:
            split = split_clipped(tree, scope, loop)
            if split is not None:
                return [clipped(tree, split, finding, profile, np)]
        except Decline as e:
            errors.append(e)
        try:
            return fission(tree, scope, chain, finding, profile, np)
        except Decline as e:
            errors.append(e)
    else:
        errors.append(Decline("while loops are not vectorized"))
    found: list[Piece] = []
    for sub in child_loops(loop):
        try:
            found.extend(vectorize_region(tree, scope, sub, finding, profile, np))
        except Decline as e:
            errors.append(e)
    if found:
        return found
    raise errors[0]


def clipped(tree: Tree, split: Split, finding: Finding, profile: Profile | None, np: str) -> Piece:
    """The interior of a split clipped loop vectorized (every split loop an axis, the iterations
    independent wherever their ranges start), its edges kept as loops after it."""
    inner = Tree(split.interior)
    loop = loop_at(inner, tree.line(split.loop))
    assert isinstance(loop, cst.For)
    chain = perfect_inner(loop)
    nest, verdict = first_translation(
        [chain[:d] for d in range(len(chain), split.depth - 1, -1)],
        lambda loops: translate(inner, inner.scope_of(loop), loops, finding, profile, np, guard_aliases=True,
                                interior=True))
    if verdict.kind != "independent" or verdict.pivots:
        raise Decline(f"the clipped loop's iterations are not independent ({verdict.reason}): "
                      "its edges would run out of order")
    nest.require(split.checks(nest))
    return Piece(split.loop, nest, verdict, split.edges)


def zero_fills_folded(lines: list[str]) -> list[str]:
    """`x[...] = 0.0` then `x += e` written as `x[...] = e` (the same values stored; only a zero's sign may
    differ)."""
    out: list[str] = []
    for line in lines:
        prev = cst.parse_statement(out[-1]) if out else None
        cur = cst.parse_statement(line)
        a = prev.body[0] if isinstance(prev, cst.SimpleStatementLine) and len(prev.body) == 1 else None
        b = cur.body[0] if isinstance(cur, cst.SimpleStatementLine) and len(cur.body) == 1 else None
        if isinstance(a, cst.Assign) and len(a.targets) == 1 and isinstance(a.targets[0].target, cst.Subscript) \
                and isinstance(a.value, cst.Float) and a.value.value == "0.0" \
                and isinstance(b, cst.AugAssign) and isinstance(b.operator, cst.AddAssign):
            target = cst.Module([]).code_for_node(a.targets[0].target)
            base = a.targets[0].target.value
            reads = {n.value for n in m.findall(b.value, m.Name()) if isinstance(n, cst.Name)}
            if cst.Module([]).code_for_node(b.target) in (target, target.removesuffix("[:]")) \
                    and not (isinstance(base, cst.Name) and base.value in reads):
                out[-1] = f"{target} = {cst.Module([]).code_for_node(b.value)}"
                continue
        out.append(line)
    return out


def fission(tree: Tree, scope: cst.CSTNode, chain: list[cst.For], finding: Finding,
            profile: Profile | None, np: str) -> list[Piece]:
    """The body of the innermost loop of `chain` as separate nests, each inside all of `chain` (`split`),
    with the scratch arrays private to the `chain` iterations expanded (allocated before the nests)."""
    scratch = private_scratch(tree, scope, chain)
    nests = split(tree, scope, chain, finding, profile, np, scratch)
    expanded = {sc.expanded: sc for sc in scratch.values()}
    fresh = {a.array for n, _ in nests for _, a, _ in n.accesses
             if fresh_around(tree, chain[0], a.array) or a.array in expanded}
    pairs = may_alias([n for n, _ in nests], fresh)
    used = [expanded[x] for x in dict.fromkeys(a.array for n, _ in nests for _, a, _ in n.accesses) if x in expanded]
    if used:  # one copy per iteration of the kept loops
        stops = ", ".join(nests[0][0].axes[k].stop for k in range(len(chain))) + ("," if len(chain) == 1 else "")
        nests[0][0].out[:0] = [f"{sc.expanded} = {np}.empty(({stops}) + {sc.name}.shape, dtype={sc.name}.dtype)"
                               for sc in used]
    return [Piece(chain[0], n, replace(v, disjoint=pairs)) for n, v in nests]


def split(tree: Tree, scope: cst.CSTNode, chain: list[cst.For], finding: Finding, profile: Profile | None,
          np: str, scratch: dict[str, Scratch]) -> list[tuple[Nest, Verdict]]:
    """One nest per inner loop of the body (as deep as translates, else split in turn) and per run of
    other statements, when no array shared by two of them is touched at another element of the `chain`
    loops (so running each over every iteration in turn keeps the order of what each element sees)."""
    body = suite_statements(chain[-1].body)
    if len(body) < 2 or not any(isinstance(s, cst.For) for s in body):
        raise Decline("the loop body is not several statements with loops among them")
    groups: list[list[cst.BaseStatement]] = []
    for s in body:
        if isinstance(s, cst.For) or not groups or isinstance(groups[-1][-1], cst.For):
            groups.append([s])
        else:
            groups[-1].append(s)
    nests: list[tuple[Nest, Verdict]] = []
    for g in groups:
        if isinstance(g[0], cst.For):
            sub = perfect_inner(g[0])
            try:
                nests.append(first_translation([chain + sub[:d] for d in range(len(sub), 0, -1)],
                                               lambda loops: translate(tree, scope, loops, finding, profile, np,
                                                                       guard_aliases=True, scratch=scratch)))
            except Decline as e:
                try:
                    nests.extend(split(tree, scope, chain + sub, finding, profile, np, scratch))
                except Decline:
                    raise e from None
        else:
            nests.append(translate(tree, scope, chain, finding, profile, np, body=g, guard_aliases=True,
                                   scratch=scratch))
    if any(v.pivots for _, v in nests):
        raise Decline("a statement of the body reads a pivot row or column it writes (not split by fission)")
    why = fission_conflict([n for n, _ in nests], len(chain))
    if why:
        raise Decline(why)
    return nests


def first_translation(options: list[list[cst.For]],
                      attempt: Callable[[list[cst.For]], tuple[Nest, Verdict]]) -> tuple[Nest, Verdict]:
    """The first of `options` that translates, or the first reason none does."""
    errors: list[Decline] = []
    for loops in options:
        try:
            return attempt(loops)
        except Decline as e:
            errors.append(e)
    raise errors[0]


def fission_conflict(nests: list[Nest], outer: int) -> str | None:
    """Why running the nests one after the other over the `outer` shared loops may reorder accesses:
    two of them touch an array, one writing, at elements that are neither provably distinct nor the
    same element only in the same iteration of the shared loops."""
    for x, nx in enumerate(nests):
        for ny in nests[x + 1:]:
            for _, a, wa in nx.accesses:
                for _, b, wb in ny.accesses:
                    if a.array == b.array and (wa or wb) and not aligned(a, b, outer) and not disjoint(a, b):
                        return f"`{a.array}` is shared by statements of the body at other elements " \
                               "(fission would reorder them)"
    return None


def aligned(a: Access, b: Access, outer: int) -> bool:
    """Both index the array alike, each of the `outer` loop indices at offset 0: they touch the same
    element only in the same iteration of those loops."""
    def shape(x: Access) -> tuple[tuple[str, ...], tuple[int, ...]]:
        return x.subs, tuple(k if k < outer else -1 for k in x.order)
    return shape(a) == shape(b) and all(o == 0 for x in (a, b) for o in x.offsets[:outer])


def may_alias(nests: list[Nest], fresh: set[str]) -> tuple[tuple[str, str], ...]:
    """Pairs of arrays, one written, that no allocation in sight keeps apart."""
    arrays = {a.array for n in nests for _, a, _ in n.accesses} - fresh
    written = {a.array for n in nests for _, a, w in n.accesses if w} - fresh
    return tuple(sorted({(min(w, o), max(w, o)) for w in written for o in arrays if o != w}))


def widened(tree: Tree, scope: cst.CSTNode, pieces: list[Piece], finding: Finding, profile: Profile | None,
            np: str) -> list[Piece]:
    """The pieces of the whole loop the aliasing check moves out of (`steady_loop`), when they include
    these: the sibling nests inside it are vectorised together (else they would stay loops in the
    checked branch, out of reach of their own findings)."""
    names = {x for p in pieces for pair in p.verdict.disjoint for x in pair}
    around = steady_loop(tree, scope, pieces[0].loop, names) if names else None
    if around is None:
        return pieces
    try:
        wider = vectorize_region(tree, scope, around, finding, profile, np)
    except Decline:
        return pieces
    return wider if {id(p.loop) for p in pieces} <= {id(p.loop) for p in wider} else pieces


def steady_loop(tree: Tree, scope: cst.CSTNode, loop: cst.For, names: set[str]) -> cst.For | cst.While | None:
    """The outermost loop around `loop` (in its scope) inside which none of `names` is rebound, so a
    run-time check on those arrays holds for all its iterations; None when there is none."""
    if any("." in n for n in names):
        return None  # an attribute (`self.x`): any assignment or call in a loop around may rebind it
    if isinstance(scope, cst.Module) and any(isinstance(n, cst.Global) and names & {a.name.value for a in n.names}
                                             for n in tree.walk(tree.module)):
        return None
    if not isinstance(scope, cst.Module) and names - tree.stores(scope):
        return None  # a global: a call in the loop may rebind it
    best = None
    for a in tree.ancestors(loop):
        if a is scope or isinstance(a, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            break
        if isinstance(a, (cst.For, cst.While)):
            if tree.stores(a) & names:
                break
            best = a
    return best


def guard_around(tree: Tree, np: str, loop: cst.For | cst.While, pairs: tuple[tuple[str, str], ...],
                 updated: cst.CSTNode) -> cst.BaseStatement:
    """`loop` as rewritten (`updated`) when no pair shares memory at run time, else as it was."""
    assert isinstance(updated, cst.BaseStatement)
    body = updated.with_changes(leading_lines=[])
    return guarded(tree, np, loop, [body], pairs).with_changes(leading_lines=loop.leading_lines)


def guarded(tree: Tree, np: str, loop: cst.For | cst.While, new: list[cst.BaseStatement],
            pairs: tuple[tuple[str, str], ...]) -> cst.BaseStatement:
    """`new` when no pair of arrays shares memory at run time, else the original loop."""
    return fallback(tree, " and ".join(f"not {np}.may_share_memory({a}, {b})" for a, b in pairs), loop, new)


def fallback(tree: Tree, test: str, loop: cst.For | cst.While, new: list[cst.BaseStatement]) -> cst.BaseStatement:
    """`new` when `test` holds at run time, else the original loop."""
    head = stmt(f"if {test}:\n    pass\n", tree)
    assert isinstance(head, cst.If)
    return head.with_changes(body=cst.IndentedBlock(body=new),
                             orelse=cst.Else(body=cst.IndentedBlock(body=[loop.with_changes(leading_lines=[])])))


def rtol_for(nests: list[Nest]) -> tuple[float, str]:
    low = any(d in ("float32", "float16", "complex64") or d.startswith("int") and d not in ("int64",)
              for n in nests for _, a, _ in n.accesses for d in [n.facts.dtype(a.array)])
    if any(n.reductions for n in nests):
        return (1e-4 if low else 1e-7), "reductions are summed in a different order (pairwise/BLAS)"
    return (1e-5 if low else 1e-9), "element-wise: same operations per element"


# two argument arrays the profile saw: either may be a view of the other
ALIAS_PROFILE = Profile(script=ex.EXAMPLE_FILE, argv=[], cwd=".", arrays=[
    ArrayInfo(name=name, function="scale", filename=ex.EXAMPLE_FILE, kind="ndarray", shape=(1000,),
              dtype="float64", is_argument=True) for name in ("src", "dst")])
LIST_PROFILE = Profile(script=ex.EXAMPLE_FILE, argv=[], cwd=".", arrays=[
    ArrayInfo(name=name, function="matmul", filename=ex.EXAMPLE_FILE, kind="list", shape=(300, 300),
              dtype="int", is_argument=True) for name in ("X", "Y")])


@register
class Vectorize(Rewriter):
    """Whole-array NumPy for loops whose iterations are independent (or reduce/append)."""

    kind = "vectorize"
    EXAMPLES = (
        ex.Rewrite(rule="loop-over-ndarray", before="""\
import numpy as np

a = np.linspace(0.0, 1.0, 1000)
b = np.linspace(1.0, 2.0, 1000)
out = np.empty_like(a)
for i in range(len(a)):  # <-
    out[i] = a[i] * b[i] + 1.0
""", after="""\
import numpy as np

a = np.linspace(0.0, 1.0, 1000)
b = np.linspace(1.0, 2.0, 1000)
out = np.empty_like(a)
out[:] = a * b[:len(a)] + 1.0
"""),
        ex.Rewrite(rule="loop-over-ndarray", before="""\
import numpy as np

v = np.linspace(0.0, 1.0, 1000)
s = 0.0
for i in range(v.shape[0]):  # <-
    s += v[i] ** 2
print(s)
""", after="""\
import numpy as np

v = np.linspace(0.0, 1.0, 1000)
s = 0.0
s += np.sum(v ** 2)
print(s)
"""),
        ex.Rewrite(rule="loop-over-ndarray", before="""\
import numpy as np

g = np.ones((200, 300))
out = np.zeros((200, 300))
for i in range(g.shape[0]):  # <-
    for j in range(g.shape[1]):
        out[i, j] = 2.0 * g[i, j] - 1.0
""", after="""\
import numpy as np

g = np.ones((200, 300))
out = np.zeros((200, 300))
out[:g.shape[0], :g.shape[1]] = 2.0 * g - 1.0
"""),
        ex.Rewrite(rule="loop-over-ndarray", before="""\
import numpy as np

u = np.linspace(0.0, 1.0, 1000)
smooth = np.zeros_like(u)
for i in range(1, len(u) - 1):  # <-
    smooth[i] = (u[i - 1] + u[i] + u[i + 1]) / 3.0
""", after="""\
import numpy as np

u = np.linspace(0.0, 1.0, 1000)
smooth = np.zeros_like(u)
smooth[1:len(u) - 1] = (u[:len(u) - 2] + u[1:len(u) - 1] + u[2:len(u)]) / 3.0
"""),
        ex.Decline(rule="loop-over-ndarray", before="""\
import numpy as np

a = np.linspace(0.0, 1.0, 1000)
c = np.zeros_like(a)
for i in range(1, len(a)):  # <-
    c[i] = c[i - 1] + a[i]
""", reason="a recurrence"),
        ex.Decline(rule="loop-over-ndarray", before="""\
import numpy as np


def matmul(X, Y):
    Z = np.zeros((len(X), len(Y[0])))
    for i in range(len(X)):  # <-
        for j in range(len(Y[0])):
            for p in range(len(Y)):
                Z[i, j] += X[i][p] * Y[p][j]
    return Z
""", reason="list of Python ints", profile=LIST_PROFILE),
        ex.Rewrite(rule="loop-over-ndarray", before="""\
import numpy as np


def scale(src, dst):
    for i in range(len(src)):  # <-
        dst[i] = src[i] * 2.0
""", after="""\
import numpy as np


def scale(src, dst):
    if not np.may_share_memory(dst, src):
        dst[:len(src)] = src * 2.0
    else:
        for i in range(len(src)):  # <-
            dst[i] = src[i] * 2.0
""", profile=ALIAS_PROFILE),
        ex.Rewrite(rule="loop-over-ndarray", before="""\
import numpy as np

A = np.ones((60, 40))
B = np.ones((40, 50))
C = np.zeros((60, 50))
for i in range(60):  # <-
    for j in range(50):
        for k in range(40):
            C[i, j] += A[i, k] * B[k, j]
""", after="""\
import numpy as np

A = np.ones((60, 40))
B = np.ones((40, 50))
C = np.zeros((60, 50))
C += A @ B
"""),
        ex.Rewrite(rule="loop-over-ndarray", before="""\
import numpy as np

a = np.linspace(0.0, 1.0, 1000)
w = np.array([0.25, 0.5, 0.25])
r = len(w) // 2
n = len(a)
out = np.zeros(n)
for i in range(r, n - r):  # <-
    s = 0.0
    for k in range(-r, r + 1):
        s += a[i + k] * w[k + r]
    out[i] = s
""", after="""\
import numpy as np

a = np.linspace(0.0, 1.0, 1000)
w = np.array([0.25, 0.5, 0.25])
r = len(w) // 2
n = len(a)
out = np.zeros(n)
if n - r > r:
    s = 0.0
    for k in range(-r, r + 1):
        s += a[r + k:n - r + k] * w[k + r]
    out[r:n - r] = s
else:
    for i in range(r, n - r):  # <-
        s = 0.0
        for k in range(-r, r + 1):
            s += a[i + k] * w[k + r]
        out[i] = s
"""),
        ex.Rewrite(rule="loop-over-ndarray", before="""\
import numpy as np

x = np.linspace(0.0, 1.0, 1000)
r = 3
n = len(x)
out = np.zeros(n)
for i in range(n):  # <-
    lo = max(0, i - r)
    hi = min(n, i + r + 1)
    s = 0.0
    for k in range(lo, hi):
        s += x[k]
    out[i] = s / (hi - lo)
""", after="""\
import numpy as np

x = np.linspace(0.0, 1.0, 1000)
r = 3
n = len(x)
out = np.zeros(n)
if n - r > r:
    s = 0.0
    for k in range(-r, r + 1):
        s += x[r + k:n - r + k]
    out[r:n - r] = s / (2 * r + 1)
    for i in (*range(min(r, n)), *range(max(r, n - r), n)):  # <-
        lo = max(0, i - r)
        hi = min(n, i + r + 1)
        s = 0.0
        for k in range(lo, hi):
            s += x[k]
        out[i] = s / (hi - lo)
else:
    for i in range(n):  # <-
        lo = max(0, i - r)
        hi = min(n, i + r + 1)
        s = 0.0
        for k in range(lo, hi):
            s += x[k]
        out[i] = s / (hi - lo)
"""),
    )

    def propose(self, source: str, finding: Finding, profile: Profile | None) -> list[Candidate]:
        tree = Tree(source)
        comp = comprehension_at(tree, finding.lineno, finding.col)
        if comp is not None:
            moved = at_boundary(tree, tree.scope_of(comp), comp, finding, profile)
            if moved is not None:  # over Python lists of floats: converted just before the statement
                tree, at = Tree(moved[0]), moved[1]
                comp = comprehension_at(tree, at.lineno, at.col)
                assert comp is not None
                return self.propose_comprehension(tree, comp, source, finding, profile, at)
            return self.propose_comprehension(tree, comp, source, finding, profile)
        loop = loop_at(tree, finding.lineno)
        at = finding
        counted = as_for_loop(tree, loop, finding)
        if counted is not None:  # `i = 0; while i < n: ...; i += 1`: the same as a for loop over range
            tree, at = Tree(counted[0]), counted[1]
            loop = loop_at(tree, at.lineno)
        scope = tree.scope_of(loop)
        moved = at_boundary(tree, scope, loop, at, profile)
        if moved is not None:  # Python lists of floats: the nest is vectorised on arrays converted before it
            tree, at = Tree(moved[0]), moved[1]
            loop = loop_at(tree, at.lineno)
            scope = tree.scope_of(loop)
        np, imports = module_name(tree, "numpy")
        pieces = widened(tree, scope, vectorize_region(tree, scope, loop, at, profile, np), at, profile, np)
        edits = Edits()
        by_loop: dict[int, list[Piece]] = {}
        for p in pieces:
            by_loop.setdefault(id(p.loop), []).append(p)
        hoisted: dict[int, tuple[cst.For | cst.While, set[tuple[str, str]]]] = {}
        for ps in by_loop.values():
            lp = ps[0].loop
            new = [stmt(code + "\n", tree) for code in zero_fills_folded([c for p in ps for c in p.nest.out])]
            if ps[0].verdict.pivots:
                head, test, store = pivot_checked(tree, ps[0].nest, ps[0].verdict.pivots)
                new = [stmt(code + "\n", tree) for code in head] + [fallback(tree, test, lp, [stmt(store, tree)])]
            new += [s for p in ps for s in p.after]
            pairs = tuple(sorted({x for p in ps for x in p.verdict.disjoint}))
            around = steady_loop(tree, scope, lp, {x for pair in pairs for x in pair}) if pairs else None
            if around is not None:
                hoisted.setdefault(id(around), (around, set()))[1].update(pairs)
            elif pairs:
                new = [guarded(tree, np, lp, new, pairs)]
            checks = list(dict.fromkeys(c for p in ps for c in p.nest.requires))
            if checks:  # a range() start the slices count from is not negative (else the loop as it was)
                new = [fallback(tree, " and ".join(checks), lp, new)]
            new[0] = new[0].with_changes(leading_lines=lp.leading_lines)
            edits.replace[id(lp)] = cst.FlattenSentinel(new)
        for around, hpairs in hoisted.values():
            edits.replace[id(around)] = partial(guard_around, tree, np, around, tuple(sorted(hpairs)))
        code = finish(tree, edits, imports)
        nests = [p.nest for p in pieces]
        rtol, why = rtol_for(nests)
        lines = ", ".join(str(tree.line(ps[0].loop)) for ps in by_loop.values())
        first = nests[0].out[0].splitlines()[0]
        edges = "; its clipped edges stay loops" if any(p.after for p in pieces) else ""
        return [candidate(self.kind, finding, source, code,
                          f"vectorize the loop at line {lines} with whole-array NumPy (`{first}` ...){edges}",
                          rtol, why)]

    def propose_comprehension(self, tree: Tree, comp: cst.ListComp | cst.GeneratorExp, source: str,
                              finding: Finding, profile: Profile | None,
                              at: Finding | None = None) -> list[Candidate]:
        """A comprehension over arrays becomes one whole-array expression (`loops/comprehension`);
        `at`: the finding moved into `tree`, when lists were converted before the statement."""
        np, imports = module_name(tree, "numpy")
        node, code, reduces = replacement(tree, comp, at or finding, profile, np)
        edits = Edits()
        edits.replace[id(node)] = expr(code, tree)
        new = finish(tree, edits, imports)
        why = "the sum is taken in a different order (pairwise)" if reduces else "element-wise: same operations"
        return [candidate(self.kind, finding, source, new,
                          f"vectorize the comprehension at line {tree.line(comp)} (`{code}`)",
                          1e-7 if reduces else 1e-9, why)]
