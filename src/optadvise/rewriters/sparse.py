"""Rewriter `sparse` for dense-mostly-zero: build the matrix as a scipy.sparse array.

`T = np.zeros((n, m))` filled element by element (`T[i, j] = v`) and afterwards only multiplied
(`T.dot(x)`, `T @ x`, `np.dot(T, x)`) or solved with (`np.linalg.solve(T, b)`) becomes a LIL array
while it is filled and a CSR array (`T = T.tocsr()`) right after the statement holding the last fill.
The fill loops are kept exactly (the order of any random draws stays the same). The matrix is followed
across the script's own functions (`cst.calls`): from `x = f(...)` back to the allocation in `f`,
through returns (whole or in a tuple) to every caller, into fill helpers (functions that only store
elements into it) and into functions it is passed to; a function whose solve is rewritten must receive
the sparse matrix from every one of its callers, or the rewrite declines. Sparse *arrays* are
used, not matrices, so `*` would stay element-wise; but any use whose result would be sparse or whose
meaning differs (`*`, `T + 1`, `np.exp(T)`, slicing, printing, returning, passing it on) declines.
"""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst
import libcst.matchers as m

from optadvise import examples
from optadvise.model import Candidate, Finding, Profile
from optadvise.rewriters import register
from optadvise.rewriters.base import Decline, Rewriter
from optadvise.rewriters.cst import Edits, Tree, call_args, candidate, expr, finish, stmt
from optadvise.rewriters.cst.calls import (
    Holder,
    argument,
    callers,
    enclosing_function,
    names_in,
    parameter,
    result_holder,
    returned_at,
)

ZEROS = {"numpy.zeros"}
SOLVES = {"numpy.linalg.solve", "scipy.linalg.solve"}
PRODUCTS = {"numpy.dot", "numpy.matmul"}
READ_ATTRS = {"shape", "ndim", "dtype"}
ALLOCATION = m.SimpleStatementLine(body=[m.Assign(targets=[m.AssignTarget(m.Name())], value=m.Call())])
RETURN_CALL = m.SimpleStatementLine(body=[m.Return(value=m.Call())])
UNPACK_CALL = m.SimpleStatementLine(body=[m.Assign(targets=[m.AssignTarget(m.Tuple())], value=m.Call())])
ALIAS = m.Assign(targets=[m.AssignTarget(m.Name())])
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
        examples.Rewrite(
            "dense-mostly-zero",
            '''import numpy as np


def assemble(n):
    A = np.zeros((n, n))
    for i in range(n):
        A[i, i] = 2.0
    return A


def main():
    A = assemble(40)  # <-
    b = np.ones(40)
    print(np.linalg.solve(A, b).sum())
''',
            '''import numpy as np
import scipy.sparse
import scipy.sparse.linalg


def assemble(n):
    A = scipy.sparse.lil_array((n, n))
    for i in range(n):
        A[i, i] = 2.0
    A = A.tocsr()
    return A


def main():
    A = assemble(40)  # <-
    b = np.ones(40)
    print(scipy.sparse.linalg.spsolve(A, b).reshape(np.shape(b)).sum())
'''),
        examples.Decline(
            "dense-mostly-zero",
            '''import numpy as np


def assemble(n):
    A = np.zeros((n, n))
    for i in range(n):
        A[i, i] = 2.0
    return A


def solve(A, b):
    return np.linalg.solve(A, b)


def main():
    A = assemble(40)  # <-
    b = np.ones(40)
    print(solve(A, b).sum(), solve(np.eye(40), b).sum())
''',
            "also called at line 18 with another value"),
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
        flagged = tree.statement_at(finding.lineno)
        plan = _Plan(tree)
        name = plan.start(flagged, str((finding.evidence or {}).get("name", "")))
        new = finish(tree, plan.edits)
        path = " -> ".join(dict.fromkeys(plan.path))
        where = f"CSR after line{'s' if len(plan.converted) > 1 else ''} " \
                f"{', '.join(str(x) for x in sorted(plan.converted))}"
        return [candidate(self.kind, finding, source, new,
                          f"build `{name}` as scipy.sparse (LIL while filling, {where})"
                          + (f"; followed through {path}" if len(set(plan.path)) > 1 else ""),
                          1e-6 if plan.solves else 1e-8, _memory_note(finding, profile, name))]


class _Plan:
    """One sparse rewrite: the matrix followed from its `np.zeros` allocation through the script's
    functions (returns, arguments, plain assignments); every function on the path is edited or none is."""

    def __init__(self, tree: Tree):
        self.tree = tree
        self.edits = Edits()
        self.solves = False
        self.converted: list[int] = []
        self.path: list[str] = []
        self.entered: dict[str, set[int]] = {}  # function -> ids of the calls that hand it the matrix
        self.seen: set[tuple[int, str]] = set()

    def start(self, flagged: cst.BaseStatement, name: str) -> str:
        """Find the allocation behind the flagged statement, follow it forward, and check the callers."""
        alloc = self._origin(flagged, name, 0)
        target, call = _allocation(self.tree, alloc)
        self.edits.replace[id(call)] = _lil_call(self.tree, call, call_args(call), self.edits)
        if target is None:  # `return np.zeros(...)`: each caller holds a LIL array to fill
            fn = enclosing_function(self.tree, alloc)
            if fn is None:
                raise Decline("the allocation is returned outside a function")
            self.path.append(fn.name.value)
            self._through_return(fn, None, self._filling)
        else:
            self._filling(Holder(self.tree.scope_of(alloc), target, alloc))
        self._other_callers()
        return target or name

    def _origin(self, st: cst.BaseStatement, name: str, depth: int) -> cst.BaseStatement:
        """The statement allocating the matrix: the flagged one, or the one behind `x = f(...)`."""
        tree = self.tree
        if m.matches(st, ALLOCATION) and tree.resolve(_value(st).func) in ZEROS:
            return st
        scope = tree.scope_of(st)
        if depth < 4 and isinstance(scope, cst.FunctionDef) and name in {p.name.value for p in scope.params.params}:
            calls = callers(tree, scope.name.value)  # handed in: go back to the one caller's value
            if len(calls) != 1:
                raise Decline(f"`{name}` is a parameter of `{scope.name.value}`, which has {len(calls)} callers; "
                              "the matrix is followed back through one caller only")
            arg = argument(tree, scope, calls[0], name)
            if not isinstance(arg, cst.Name):
                raise Decline(f"`{scope.name.value}` is given `{tree.code(arg)}` at line {tree.line(arg)}, not a name")
            return self._origin(_binding(tree, tree.statement_of(calls[0]), arg.value), arg.value, depth + 1)
        if depth == 0 and name and not any(m.matches(t, m.AssignTarget(m.Name(name) | m.Tuple(
                [m.ZeroOrMore(), m.Element(m.Name(name)), m.ZeroOrMore()]))) for t in tree.walk(st)):
            st = _binding(tree, st, name)  # flagged at a use: start from where the name is bound
        if depth > 4 or not m.matches(st, ALLOCATION | RETURN_CALL | UNPACK_CALL):
            raise Decline("the flagged line is not a single `NAME = np.zeros(...)` assignment")
        small = st.body[0]  # type: ignore[attr-defined]
        fn = tree.module_functions().get(tree.code(small.value.func))
        if fn is None or tree.resolve(small.value.func) in ZEROS:
            return st
        index = None
        if isinstance(small, cst.Assign) and isinstance(small.targets[0].target, cst.Tuple):
            names = [tree.code(e.value) for e in small.targets[0].target.elements]
            if name not in names:
                raise Decline(f"`{name}` is not among the names bound at line {tree.line(st)}")
            index = names.index(name)
        returns = [n for n in tree.walk(fn) if isinstance(n, cst.Return) and not tree.nested_scope(n, fn)]
        if len(returns) != 1 or returns[0].value is None:
            raise Decline(f"`{fn.name.value}` has no single return statement to follow the matrix through")
        value = returns[0].value
        if index is not None:
            if not (isinstance(value, cst.Tuple) and index < len(value.elements)):
                raise Decline(f"`{fn.name.value}` does not return a tuple to unpack")
            value = value.elements[index].value
        ret_st = tree.statement_of(returns[0])
        if isinstance(value, cst.Call) and index is None:
            return self._origin(ret_st, name, depth + 1)
        if not isinstance(value, cst.Name):
            raise Decline(f"`{fn.name.value}` returns `{tree.code(value)}`, not a name that can be followed")
        binds = [n for n in names_in(tree, fn, value.value) if isinstance(tree.parent.get(n), cst.AssignTarget)]
        if not binds:
            raise Decline(f"`{value.value}` is not assigned in `{fn.name.value}`")
        return self._origin(tree.statement_of(binds[0]), value.value, depth + 1)

    # ------------------------------------------------------------------------------ following

    def _uses(self, h: Holder) -> list[cst.Name]:
        tree = self.tree
        _no_global(tree, h.scope, h.name)
        key = (id(h.statement), h.name)
        if key in self.seen:
            return []
        self.seen.add(key)
        self.path.append(h.scope.name.value if isinstance(h.scope, cst.FunctionDef) else "<module>")
        if isinstance(h.statement, cst.FunctionDef):
            return names_in(tree, h.scope, h.name)
        uses = [n for n in names_in(tree, h.scope, h.name) if not tree.inside(n, h.statement)]
        for n in uses:
            if tree.line(n) < tree.line(h.statement):
                raise Decline(f"`{h.name}` is used before line {tree.line(h.statement)}")
        return uses

    def _filling(self, h: Holder) -> None:
        """A LIL array: filled here (then converted to CSR after the last fill) or returned to be filled."""
        tree = self.tree
        uses = self._uses(h)
        block = tree.block_of(h.statement)
        fills: list[tuple[cst.Name, cst.BaseStatement]] = []
        others: list[tuple[cst.Name, cst.BaseStatement | None]] = []
        for n in uses:
            top = tree.top_statement_in(n, block)
            if top is not None and (_is_fill(tree, n) or self._fill_call(n)):
                fills.append((n, top))
            else:
                others.append((n, top))
        if not fills:
            if len(others) == 1 and isinstance(h.scope, cst.FunctionDef):
                index = returned_at(tree, h.scope, others[0][0])
                self._through_return(h.scope, index, self._filling)
                return
            raise Decline(f"`{h.name}` is not filled element by element after it is allocated")
        last_fill = max((t for _, t in fills), key=tree.line)
        end = tree.end_line(last_fill)
        self.edits.after.setdefault(id(last_fill), []).append(stmt(f"{h.name} = {h.name}.tocsr()", tree))
        self.converted.append(end)
        for n, _ in others:
            if tree.line(n) <= end:
                raise Decline(f"`{h.name}` is read at line {tree.line(n)} while it is being filled")
            self._use(h, n)

    def _fill_call(self, n: cst.Name) -> bool:
        """`fill(A, ...)`: a function of the script that only stores elements into that parameter."""
        tree = self.tree
        arg = tree.parent.get(n)
        call = tree.parent.get(arg) if isinstance(arg, cst.Arg) else None
        if not (isinstance(arg, cst.Arg) and isinstance(call, cst.Call) and not arg.star):
            return False
        fn = tree.module_functions().get(tree.code(call.func))
        if fn is None:
            return False
        inner = names_in(tree, fn, parameter(fn, call, arg))
        if inner and all(_is_fill(tree, x) for x in inner):
            self.path.append(fn.name.value)
            return True
        return False

    def _converted(self, h: Holder) -> None:
        for n in self._uses(h):
            self._use(h, n)

    def _use(self, h: Holder, n: cst.Name) -> None:
        """A use of the CSR array: products and solves, or passed on along the script's own calls."""
        tree = self.tree
        p = tree.parent.get(n)
        if isinstance(p, cst.Return) or isinstance(p, cst.Element) and isinstance(
                tree.parent.get(tree.parent[p]), cst.Return):
            if not isinstance(h.statement, cst.FunctionDef) and isinstance(h.scope, cst.FunctionDef):
                self._through_return(h.scope, returned_at(tree, h.scope, n), self._converted)
                return
            raise Decline(f"`{h.name}` is returned at line {tree.line(n)} from a function that receives it "
                          "as an argument; not followed")
        if isinstance(p, cst.Assign) and p.value is n and m.matches(p, ALIAS):
            self._converted(Holder(h.scope, p.targets[0].target.value, tree.statement_of(n)))  # type: ignore[attr-defined]
            return
        if isinstance(p, cst.Arg) and not p.star:
            call = tree.parent.get(p)
            fn = tree.module_functions().get(tree.code(call.func)) if isinstance(call, cst.Call) else None
            if fn is not None and isinstance(call, cst.Call):
                self.entered.setdefault(fn.name.value, set()).add(id(call))
                self._converted(Holder(fn, parameter(fn, call, p), fn))
                return
        self.solves |= _classify_after(tree, n, h.name, self.edits) == "solve"

    def _through_return(self, fn: cst.FunctionDef, index: int | None,
                        follow: Callable[[Holder], None]) -> None:
        """Every caller of `fn` now receives the sparse array: follow each of them."""
        calls = callers(self.tree, fn.name.value)
        if not calls:
            raise Decline(f"`{fn.name.value}` is never called; its result cannot be followed")
        for call in calls:
            follow(result_holder(self.tree, call, index))

    def _other_callers(self) -> None:
        """A function whose body was edited must receive the sparse array from every one of its callers."""
        tree = self.tree
        for fname, ids in self.entered.items():
            fn = tree.module_functions()[fname]
            if not any(id(n) in self.edits.replace for n in tree.walk(fn)):
                continue  # products only: the same code serves dense and sparse callers
            for call in callers(tree, fname):
                if id(call) not in ids:
                    raise Decline(f"`{fname}` is also called at line {tree.line(call)} with another value, "
                                  "which would see its solve rewritten for a sparse array")


def _value(st: cst.BaseStatement) -> cst.Call:
    """The call of a statement matched by ALLOCATION, RETURN_CALL or UNPACK_CALL."""
    small = st.body[0] if isinstance(st, cst.SimpleStatementLine) else None
    value = small.value if isinstance(small, (cst.Assign, cst.Return)) else None
    if not isinstance(value, cst.Call):
        raise Decline("the flagged line is not a single `NAME = np.zeros(...)` assignment")
    return value


def _binding(tree: Tree, st: cst.BaseStatement, name: str) -> cst.BaseStatement:
    """The one statement of the flagged statement's scope that binds `name` (`x = ...`, `x, y = ...`)."""
    binds = [n for n in names_in(tree, tree.scope_of(st), name) if isinstance(tree.parent[n], cst.AssignTarget)
             or isinstance(tree.parent[n], cst.Element) and _in_target(tree, n)]
    if len(binds) != 1:
        raise Decline(f"`{name}` is not bound by exactly one assignment where it is used (line {tree.line(st)})")
    return tree.statement_of(binds[0])


def _in_target(tree: Tree, n: cst.Name) -> bool:
    tup = tree.parent.get(tree.parent[n])
    return isinstance(tup, cst.Tuple) and isinstance(tree.parent.get(tup), cst.AssignTarget)


def _allocation(tree: Tree, alloc: cst.BaseStatement) -> tuple[str | None, cst.Call]:
    """(name, np.zeros call) of `NAME = np.zeros(...)`, or (None, call) of `return np.zeros(...)`."""
    if not m.matches(alloc, ALLOCATION | RETURN_CALL):
        raise Decline("the flagged line is not a single `NAME = np.zeros(...)` assignment")
    small = alloc.body[0]  # type: ignore[attr-defined]
    bound = small.targets[0].target if isinstance(small, cst.Assign) else None
    target = bound.value if isinstance(bound, cst.Name) else None
    value = _value(alloc)
    if tree.resolve(value.func) not in ZEROS:
        raise Decline("the matrix is not allocated with np.zeros")
    pos, kw = call_args(value)
    shape = pos[0].value if pos else (kw["shape"].value if "shape" in kw else None)
    if not (isinstance(shape, (cst.Tuple, cst.List)) and len(shape.elements) == 2
            and not any(isinstance(e, cst.StarredElement) for e in shape.elements)):
        raise Decline("the allocation's shape is not a literal 2-D (rows, cols) pair")
    if set(kw) - {"shape", "dtype"} or len(pos) > 2:
        raise Decline("np.zeros is called with options other than shape and dtype")
    return target, value


def _no_global(tree: Tree, scope: cst.CSTNode, name: str) -> None:
    for n in tree.walk(scope):
        if isinstance(n, (cst.Global, cst.Nonlocal)) and any(a.name.value == name for a in n.names):
            raise Decline(f"`{name}` is declared global/nonlocal; its other uses are not followed")


def _is_fill(tree: Tree, n: cst.Name) -> bool:
    """`NAME[i, j] = v` or `NAME[i, j] += v` with two plain indices."""
    sub = tree.parent.get(n)
    if not (isinstance(sub, cst.Subscript) and m.matches(sub, m.Subscript(slice=[PLAIN_INDEX, PLAIN_INDEX]))
            and sub.value is n):
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
                return None
        if p.attr.value in READ_ATTRS and not (isinstance(call, cst.Call) and call.func is p):
            return None
        raise Decline(f"`{name}.{p.attr.value}` at {where} has no same-meaning sparse equivalent")
    if isinstance(p, cst.BinaryOperation):
        if isinstance(p.operator, cst.MatrixMultiply) and p.left is n:
            return None
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
                    return None
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
