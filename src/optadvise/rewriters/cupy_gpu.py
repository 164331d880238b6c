"""Rewriter `cupy` for gpu-candidate: run a straight-line section of NumPy array work on the GPU.

The section is the longest run of consecutive simple statements around the flagged line whose calls are
all NumPy FFT/linalg/matmul/element-wise functions (or reductions/astype methods), holding at least one
FFT, linalg, matmul or `@`. CuPy is imported lazily right before it, with NumPy as the fallback
(`xp`); arrays the section reads are moved with `xp.asarray` and the arrays it makes that are used
later come back with `to_host` (`cupy.asnumpy`, or `numpy.asarray` without CuPy). In-place writes are
allowed only to arrays the section itself created, so no host array is left stale. Offered only when
CuPy imports and a CUDA device is present; `transform` is the pure source transformation.
"""

from __future__ import annotations

import libcst as cst
import libcst.matchers as m

from optadvise import examples
from optadvise.gpu import gpu_name
from optadvise.model import Candidate, Finding, Profile
from optadvise.rewriters import register
from optadvise.rewriters.base import Decline, Rewriter
from optadvise.rewriters.cst import Edits, Tree, candidate, expr, finish, stmt

HEAVY_PREFIXES = ("numpy.fft.", "numpy.linalg.")
HEAVY = {"numpy.matmul", "numpy.dot", "numpy.einsum", "numpy.tensordot", "numpy.convolve"}
FFT = {"fft", "ifft", "rfft", "irfft", "fft2", "ifft2", "rfft2", "irfft2", "fftn", "ifftn", "rfftn",
       "irfftn", "fftshift", "ifftshift", "fftfreq", "rfftfreq"}
LINALG = {"solve", "inv", "norm", "svd", "qr", "cholesky", "eigh", "eigvalsh", "det", "slogdet",
          "lstsq", "pinv", "matrix_power"}
ELEMENTWISE = {"exp", "log", "log1p", "expm1", "sqrt", "sin", "cos", "tan", "tanh", "abs", "absolute",
               "square", "maximum", "minimum", "where", "conj", "conjugate", "multiply", "add", "subtract",
               "divide", "power", "clip", "sum", "mean", "real", "imag", "angle", "hypot", "arctan2",
               "sign", "floor", "ceil"}
ALLOWED = ({f"numpy.fft.{f}" for f in FFT} | {f"numpy.linalg.{f}" for f in LINALG} | HEAVY
           | {f"numpy.{f}" for f in ELEMENTWISE})
METHODS = {"sum", "mean", "max", "min", "astype", "conj", "std", "var", "prod", "dot"}
VIEW_ATTRS = {"T", "mT", "real", "imag"}


@register
class CupyRewriter(Rewriter):
    """Moves a straight run of large FFT/linalg/matmul statements to CuPy, when a device exists."""

    kind = "cupy"
    EXAMPLES = (
        examples.Rewrite(
            "gpu-candidate",
            '''import numpy as np


def power(sig):
    spec = np.fft.rfft(sig, axis=1)  # <-
    p = np.abs(spec) ** 2
    return float(p.sum())
''',
            '''import numpy as np


def power(sig):
    try:
        import cupy as xp
        to_host = xp.asnumpy
    except ImportError:  # no CuPy: the same code runs on NumPy
        import numpy as xp
        to_host = xp.asarray
    sig_d = xp.asarray(sig)
    spec = xp.fft.rfft(sig_d, axis=1)  # <-
    p = xp.abs(spec) ** 2
    p = to_host(p)
    return float(p.sum())
'''),
        examples.Rewrite(
            "gpu-candidate",
            '''import numpy as np

rng = np.random.default_rng(0)
a = rng.standard_normal((512, 512))
b = rng.standard_normal((512, 512))
c = a @ b  # <-
print(c.trace())
''',
            '''import numpy as np

rng = np.random.default_rng(0)
a = rng.standard_normal((512, 512))
b = rng.standard_normal((512, 512))
try:
    import cupy as xp
    to_host = xp.asnumpy
except ImportError:  # no CuPy: the same code runs on NumPy
    import numpy as xp
    to_host = xp.asarray
a_d = xp.asarray(a)
b_d = xp.asarray(b)
c = a_d @ b_d  # <-
c = to_host(c)
print(c.trace())
'''),
        examples.Decline(
            "gpu-candidate",
            '''import numpy as np

a = np.ones(4)
b = np.exp(a)  # <-
print(b)
''',
            "no FFT, linalg or matrix product"),
        examples.Decline(
            "gpu-candidate",
            '''import numpy as np

a = np.ones((4, 4))
a[0] = 2  # <-
b = np.fft.fft(a)
''',
            "calls something other than NumPy array functions"),
    )

    def propose(self, source: str, finding: Finding, profile: Profile | None) -> list[Candidate]:
        device = gpu_name()
        if device is None:
            raise Decline("CuPy or a CUDA device is not available")
        new, desc = transform(source, finding)
        return [candidate(self.kind, finding, source, new, desc, 1e-4,
                          f"runs on {device}; host<->device copies at the section's edges are included")]


def transform(source: str, finding: Finding) -> tuple[str, str]:
    """The rewritten source and a description, without importing CuPy; Decline when not applicable."""
    tree = Tree(source)
    st = tree.statement_at(finding.lineno)
    if not isinstance(st, cst.SimpleStatementLine):
        raise Decline(f"line {finding.lineno} is not a simple statement")
    block = tree.block_of(st)
    body = list(block.body)
    i = body.index(st)
    if not _eligible(tree, st, set()):
        raise Decline(f"line {finding.lineno} calls something other than NumPy array functions")
    lo = i
    while lo > 0 and _eligible(tree, body[lo - 1], set()):
        lo -= 1
    fresh: set[str] = set()
    run: list[cst.SimpleStatementLine] = []
    for s in body[lo:]:
        if not isinstance(s, cst.SimpleStatementLine) or not _eligible(tree, s, fresh):
            if s is st or body.index(s) <= i:
                run = []  # an earlier statement broke the run: start again after it
                fresh = set()
                if s is st:
                    raise Decline(f"line {finding.lineno} writes into an array it did not create")
                continue
            break
        run.append(s)
        _note_fresh(tree, s, fresh)
    if st not in run or not any(_heavy(tree, s) for s in run):
        raise Decline("no FFT, linalg or matrix product in the section")
    return _emit(tree, run)


def _calls_ok(tree: Tree, node: cst.CSTNode) -> bool:
    for n in tree.walk(node):
        if isinstance(n, (cst.Lambda, cst.ListComp, cst.GeneratorExp, cst.SetComp, cst.DictComp,
                          cst.Await, cst.Yield, cst.NamedExpr)):
            return False
        if isinstance(n, cst.Call):
            qn = tree.resolve(n.func)
            if qn in ALLOWED:
                continue
            if isinstance(n.func, cst.Attribute) and n.func.attr.value in METHODS and (
                    qn is None or not qn.startswith("numpy.")):
                continue
            return False
    return True


def _eligible(tree: Tree, s: cst.CSTNode, fresh: set[str]) -> bool:
    """A one-statement line of allowed calls assigning names, or writing into arrays in `fresh`."""
    if not (isinstance(s, cst.SimpleStatementLine) and len(s.body) == 1):
        return False
    b = s.body[0]
    made_here = m.Name(m.MatchIfTrue(lambda v: v in fresh))
    target = m.Assign(targets=[m.AssignTarget(m.Name() | m.Subscript(value=made_here))]) \
        | m.AugAssign(target=made_here)
    return m.matches(b, target) and _calls_ok(tree, b)


def _note_fresh(tree: Tree, s: cst.SimpleStatementLine, fresh: set[str]) -> None:
    """Names bound to arrays the section made itself (a call or arithmetic, not a view)."""
    b = s.body[0]
    if isinstance(b, cst.Assign) and isinstance(b.targets[0].target, cst.Name):
        v = b.value
        made = isinstance(v, (cst.BinaryOperation, cst.UnaryOperation)) or (
            isinstance(v, cst.Call) and (tree.resolve(v.func) in ALLOWED
                                         or isinstance(v.func, cst.Attribute) and v.func.attr.value in METHODS))
        (fresh.add if made else fresh.discard)(b.targets[0].target.value)


def _heavy(tree: Tree, s: cst.CSTNode) -> bool:
    for n in tree.walk(s):
        if isinstance(n, cst.BinaryOperation) and isinstance(n.operator, cst.MatrixMultiply):
            return True
        if isinstance(n, cst.Call):
            qn = tree.resolve(n.func) or ""
            if qn in HEAVY or qn.startswith(HEAVY_PREFIXES):
                return True
    return False


def _emit(tree: Tree, run: list[cst.SimpleStatementLine]) -> tuple[str, str]:
    scope = tree.scope_of(run[0])
    xp, to_host = tree.fresh("xp"), tree.fresh("to_host")
    edits = Edits()
    assigned: set[str] = set()
    moved: dict[str, str] = {}
    for s in run:
        b = s.body[0]
        for n in tree.walk(b):
            if isinstance(n, cst.Call):
                qn = tree.resolve(n.func)
                if qn in ALLOWED:
                    edits.replace[id(n.func)] = expr(f"{xp}.{qn.removeprefix('numpy.')}", tree)
            if isinstance(n, cst.Name) and n.value not in assigned and _device_operand(tree, n):
                moved.setdefault(n.value, tree.fresh(f"{n.value}_d", scope))
                edits.replace[id(n)] = cst.Name(moved[n.value])
        target = b.targets[0].target if isinstance(b, cst.Assign) else None
        if isinstance(target, cst.Name):
            assigned.add(target.value)
    if not moved:
        raise Decline("the section reads no host arrays to move")
    end = tree.end_line(run[-1])
    later = {n.value for n in tree.walk(tree.module) if isinstance(n, cst.Name)
             and (tree.line(n) > end or tree.nested_scope(n, scope) and scope is tree.module)}
    back = sorted(a for a in assigned if a in later)
    header = (f"try:\n    import cupy as {xp}\n    {to_host} = {xp}.asnumpy\n"
              f"except ImportError:  # no CuPy: the same code runs on NumPy\n"
              f"    import numpy as {xp}\n    {to_host} = {xp}.asarray\n")
    edits.before[id(run[0])] = [stmt(header, tree), *(stmt(f"{d} = {xp}.asarray({h})", tree)
                                                      for h, d in moved.items())]
    edits.after[id(run[-1])] = [stmt(f"{a} = {to_host}({a})", tree) for a in back]
    first = run[0]
    edits.before[id(first)][0] = edits.before[id(first)][0].with_changes(leading_lines=first.leading_lines)
    edits.replace[id(first)] = lambda updated: updated.with_changes(leading_lines=[])
    lines = f"{tree.line(run[0])}-{end}" if end != tree.line(run[0]) else str(end)
    return finish(tree, edits), f"lines {lines} on the GPU with CuPy (NumPy fallback)"


def _device_operand(tree: Tree, n: cst.Name) -> bool:
    """A name read as an array operand: a positional argument of a NumPy call or a side of `@`."""
    p = tree.parent.get(n)
    if isinstance(p, cst.Arg) and p.keyword is None and p.value is n:
        call = tree.parent.get(p)  # the first argument only: a scalar moved to a 0-d array changes dtypes
        return isinstance(call, cst.Call) and tree.resolve(call.func) in ALLOWED and call.args[0] is p
    if isinstance(p, cst.BinaryOperation) and isinstance(p.operator, cst.MatrixMultiply):
        return True
    if isinstance(p, cst.Subscript) and p.value is n:
        return True
    if isinstance(p, cst.Attribute) and p.value is n:
        return p.attr.value in VIEW_ATTRS or (p.attr.value in METHODS and isinstance(tree.parent.get(p), cst.Call))
    return False
