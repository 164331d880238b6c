"""Rewriter `sparse` for dense-mostly-zero: build the matrix as a scipy.sparse array.

`T = np.zeros((n, m))` filled element by element (`T[i, j] = v`) and afterwards only multiplied
(`T.dot(x)`, `T @ x`, `np.dot(T, x)`) or solved with (`np.linalg.solve(T, b)`) becomes a LIL array
while it is filled and a CSR array (`T = T.tocsr()`) right after the statement holding the last fill.
The fill loops are kept exactly (the order of any random draws stays the same). Sparse *arrays* are
used, not matrices, so `*` would stay element-wise; but any use whose result would be sparse or whose
meaning differs (`*`, `T + 1`, `np.exp(T)`, slicing, printing, returning, passing it on) declines.
"""

from __future__ import annotations

import libcst as cst
import libcst.matchers as m

from optadvise import examples
from optadvise.model import Candidate, Finding, Profile
from optadvise.rewriters import register
from optadvise.rewriters.base import Decline, Rewriter
from optadvise.rewriters.cst import Edits, Tree, call_args, candidate, expr, finish, stmt

ZEROS = {"numpy.zeros"}
SOLVES = {"numpy.linalg.solve", "scipy.linalg.solve"}
PRODUCTS = {"numpy.dot", "numpy.matmul"}
READ_ATTRS = {"shape", "ndim", "dtype"}
ALLOCATION = m.SimpleStatementLine(body=[m.Assign(targets=[m.AssignTarget(m.Name())], value=m.Call())])
PLAIN_INDEX = m.SubscriptElement(m.Index(star=None))


@register
class SparseRewriter(Rewriter):
    """Builds a mostly-zero matrix filled element by element as scipy.sparse (LIL, then CSR)."""

    kind = "sparse"
    EXAMPLES = (
        examples.Rewrite(
            "dense-mostly-zero",
            '''import numpy as np

n = 50
T = np.zeros((n, n))  # <-
for i in range(n):
    T[i, i] = 2.0
    if i:
        T[i, i - 1] = -1.0
y = T @ np.ones(n)
print(y.sum())
''',
            '''import numpy as np
import scipy.sparse

n = 50
T = scipy.sparse.lil_array((n, n))  # <-
for i in range(n):
    T[i, i] = 2.0
    if i:
        T[i, i - 1] = -1.0
T = T.tocsr()
y = T @ np.ones(n)
print(y.sum())
'''),
        examples.Rewrite(
            "dense-mostly-zero",
            '''import numpy as np


def solve(n, b):
    A = np.zeros((n, n), dtype=np.float64)  # <-
    for k in range(n):
        A[k, k] = 4.0
    return np.linalg.solve(A, b)
''',
            '''import numpy as np
import scipy.sparse
import scipy.sparse.linalg


def solve(n, b):
    A = scipy.sparse.lil_array((n, n), dtype=np.float64)  # <-
    for k in range(n):
        A[k, k] = 4.0
    A = A.tocsr()
    return scipy.sparse.linalg.spsolve(A, b).reshape(np.shape(b))
'''),
        examples.Decline(
            "dense-mostly-zero",
            '''import numpy as np

T = np.zeros((30, 30))  # <-
for i in range(30):
    T[i, i] = 2.0
print(T * 2.0)
''',
            "differs or densifies"),
        examples.Decline(
            "dense-mostly-zero",
            '''import numpy as np

T = np.zeros((30, 30))  # <-
for i in range(30):
    T[i, i] = 2.0
print(T)
''',
            "not known to accept a sparse array"),
    )

    def propose(self, source: str, finding: Finding, profile: Profile | None) -> list[Candidate]:
        tree = Tree(source)
        alloc = tree.statement_at(finding.lineno)
        name, call = _allocation(tree, alloc)
        scope = tree.scope_of(alloc)
        block = tree.block_of(alloc)
        _no_global(tree, scope, name)
        edits = Edits()
        uses = [n for n in tree.name_nodes(scope, name) if not tree.inside(n, alloc)]
        fills, others = [], []
        for n in uses:
            if tree.nested_scope(n, scope):
                raise Decline(f"`{name}` is used inside a nested function; not followed")
            if tree.line(n) < tree.line(alloc):
                raise Decline(f"`{name}` is used before line {tree.line(alloc)}")
            top = tree.top_statement_in(n, block)
            (fills if top is not None and _is_fill(tree, n) else others).append((n, top))
        if not fills:
            raise Decline(f"`{name}` is not filled element by element after it is allocated")
        last_fill = max((t for _, t in fills), key=tree.line)
        end = tree.end_line(last_fill)
        solves = False
        for n, _ in others:
            if tree.line(n) <= end:
                raise Decline(f"`{name}` is read at line {tree.line(n)} while it is being filled")
            solves |= _classify_after(tree, n, name, edits) == "solve"
        shape = call_args(call)
        new_call = _lil_call(tree, call, shape, edits)
        edits.replace[id(call)] = new_call
        edits.after[id(last_fill)] = [stmt(f"{name} = {name}.tocsr()", tree)]
        new = finish(tree, edits)
        return [candidate(self.kind, finding, source, new,
                          f"build `{name}` as scipy.sparse (LIL while filling, CSR after line {end})",
                          1e-6 if solves else 1e-8, _memory_note(finding, profile, name))]


def _allocation(tree: Tree, alloc: cst.BaseStatement) -> tuple[str, cst.Call]:
    if not m.matches(alloc, ALLOCATION):
        raise Decline("the flagged line is not a single `NAME = np.zeros(...)` assignment")
    assign = alloc.body[0]  # type: ignore[attr-defined]
    target, value = assign.targets[0].target, assign.value
    if tree.resolve(value.func) not in ZEROS:
        raise Decline("the matrix is not allocated with np.zeros")
    pos, kw = call_args(value)
    shape = pos[0].value if pos else (kw["shape"].value if "shape" in kw else None)
    if not (isinstance(shape, (cst.Tuple, cst.List)) and len(shape.elements) == 2
            and not any(isinstance(e, cst.StarredElement) for e in shape.elements)):
        raise Decline("the allocation's shape is not a literal 2-D (rows, cols) pair")
    if set(kw) - {"shape", "dtype"} or len(pos) > 2:
        raise Decline("np.zeros is called with options other than shape and dtype")
    return target.value, value


def _no_global(tree: Tree, scope: cst.CSTNode, name: str) -> None:
    for n in tree.walk(scope):
        if isinstance(n, (cst.Global, cst.Nonlocal)) and any(a.name.value == name for a in n.names):
            raise Decline(f"`{name}` is declared global/nonlocal; its other uses are not followed")


def _is_fill(tree: Tree, n: cst.Name) -> bool:
    """`NAME[i, j] = v` or `NAME[i, j] += v` with two plain indices."""
    sub = tree.parent.get(n)
    if not (m.matches(sub, m.Subscript(slice=[PLAIN_INDEX, PLAIN_INDEX])) and sub.value is n):
        return False
    holder = tree.parent.get(sub)
    if isinstance(holder, cst.AssignTarget):
        assign = tree.parent[holder]
        return isinstance(assign, cst.Assign) and len(assign.targets) == 1
    return isinstance(holder, cst.AugAssign) and holder.target is sub


def _classify_after(tree: Tree, n: cst.Name, name: str, edits: Edits) -> str | None:
    """Allow uses with the same meaning on a CSR array, rewriting the few that need it; else Decline."""
    p = tree.parent.get(n)
    where = f"line {tree.line(n)}"
    if isinstance(p, cst.Attribute) and p.value is n:
        call = tree.parent.get(p)
        if p.attr.value == "dot" and isinstance(call, cst.Call) and call.func is p:
            pos, kw = call_args(call)
            if len(pos) == 1 and not kw:
                return
        if p.attr.value in READ_ATTRS and not (isinstance(call, cst.Call) and call.func is p):
            return
        raise Decline(f"`{name}.{p.attr.value}` at {where} has no same-meaning sparse equivalent")
    if isinstance(p, cst.BinaryOperation):
        if isinstance(p.operator, cst.MatrixMultiply) and p.left is n:
            return
        raise Decline(f"`{name}` is used in `{tree.code(p)}` at {where}, which differs or densifies "
                      "on a sparse array")
    if isinstance(p, cst.Arg) and p.keyword is None:
        call = tree.parent.get(p)
        if isinstance(call, cst.Call) and call.args and call.args[0] is p:
            qn = tree.resolve(call.func)
            pos, kw = call_args(call)
            if qn in (SOLVES | PRODUCTS) and len(pos) == 2 and not kw:
                rhs = tree.code(pos[1].value)
                if qn in PRODUCTS:
                    edits.replace[id(call)] = expr(f"{name}.dot({rhs})", tree)
                    return
                spsolve = edits.ref(tree, "scipy.sparse.linalg", "spsolve")
                if isinstance(pos[1].value, cst.Name):
                    np_ = edits.ref(tree, "numpy", "shape")
                    code = f"{spsolve}({name}, {rhs}).reshape({np_}({rhs}))"
                else:
                    raise Decline(f"the right-hand side of the solve at {where} is not a plain name "
                                  "(its shape cannot be kept without evaluating it twice)")
                edits.replace[id(call)] = expr(code, tree)
                return "solve"
        fn = tree.code(call.func) if isinstance(call, cst.Call) else "?"
        raise Decline(f"`{name}` is passed to `{fn}` at {where}, which is not known to accept a sparse array")
    raise Decline(f"`{name}` is used as `{tree.code(p) if p is not None else name}` at {where}; "
                  "only products and solves are followed")


def _lil_call(tree: Tree, call: cst.Call, args: tuple[list[cst.Arg], dict[str, cst.Arg]], edits: Edits) -> cst.Call:
    pos, kw = args
    shape = pos[0].value if pos else kw["shape"].value
    dtype = pos[1].value if len(pos) > 1 else (kw["dtype"].value if "dtype" in kw else None)
    new_args = [cst.Arg(shape)]
    if dtype is not None:
        new_args.append(cst.Arg(dtype, keyword=cst.Name("dtype"),
                                equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace(""))))
    lil = expr(edits.ref(tree, "scipy.sparse", "lil_array"), tree)
    return call.with_changes(func=lil, args=_commas(new_args))


def _commas(args: list[cst.Arg]) -> list[cst.Arg]:
    return [a.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
            if i < len(args) - 1 else a for i, a in enumerate(args)]


def _memory_note(finding: Finding, profile: Profile | None, name: str) -> str:
    ev = finding.evidence or {}
    shape, zf = ev.get("shape"), ev.get("zero_fraction")
    itemsize = 8
    if profile is not None:
        for a in profile.arrays:
            if a.name == name and len(a.shape) == 2:
                shape = shape or list(a.shape)
                zf = zf if zf is not None else a.zero_fraction
                if a.nbytes and a.shape[0] * a.shape[1]:
                    itemsize = a.nbytes // (a.shape[0] * a.shape[1])
    if not (shape and len(shape) == 2 and zf is not None):
        return "dense storage replaced by CSR (memory grows with the nonzeros, not rows x cols)"
    rows, cols = int(shape[0]), int(shape[1])
    dense = rows * cols * itemsize
    nnz = round((1.0 - float(zf)) * rows * cols)
    csr = nnz * (itemsize + 4) + (rows + 1) * 4
    return (f"{name}: dense {_mb(dense)} -> CSR about {_mb(csr)} ({nnz} nonzeros, {float(zf):.2%} zeros); "
            f"saves about {_mb(dense - csr)}")


def _mb(n: float) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e5 else f"{n / 1e3:.1f} kB"
