"""Rewriter `vectorize`: a Python loop over array elements becomes whole-array NumPy statements.

Handles element-wise maps (math.* -> NumPy ufuncs, conditionals -> np.where), reductions (sums, dot
products, counts, running min/max, with `if` filters as masks), constant-offset stencils, rows grown
with np.append/np.concatenate/np.vstack/list.append, iteration over the array itself, 2-D nests, and
per-element state stepped by an inner sequential loop. Translation and legality come from
`rewriters/loops` (its dependence proof); anything it cannot prove is declined (recurrences are left to `numba`).
"""

from __future__ import annotations

import libcst as cst

from optadvise import examples as ex
from optadvise.model import ArrayInfo, Candidate, Finding, Profile
from optadvise.rewriters import register
from optadvise.rewriters.base import Decline, Rewriter
from optadvise.rewriters.cst import Edits, Tree, candidate, expr, finish, stmt
from optadvise.rewriters.loops.comprehension import comprehension_at, replacement
from optadvise.rewriters.loops.site import loop_at, module_name
from optadvise.rewriters.loops.statements import Nest
from optadvise.rewriters.loops.translate import translate


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
                return [(loop, translate(tree, scope, chain[:d], finding, profile, np)[0])]
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


# two argument arrays the profile saw: either may be a view of the other
ALIAS_PROFILE = Profile(script=ex.EXAMPLE_FILE, argv=[], cwd=".", arrays=[
    ArrayInfo(name=name, function="scale", filename=ex.EXAMPLE_FILE, kind="ndarray", shape=(1000,),
              dtype="float64", is_argument=True) for name in ("src", "dst")])


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
out[:len(a)] = a * b[:len(a)] + 1.0
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


def scale(src, dst):
    for i in range(len(src)):  # <-
        dst[i] = src[i] * 2.0
""", reason="may share memory with `src`", profile=ALIAS_PROFILE),
    )

    def propose(self, source: str, finding: Finding, profile: Profile | None) -> list[Candidate]:
        tree = Tree(source)
        comp = comprehension_at(tree, finding.lineno, finding.col)
        if comp is not None:
            return self.propose_comprehension(tree, comp, source, finding, profile)
        loop = loop_at(tree, finding.lineno)
        scope = tree.scope_of(loop)
        np, imports = module_name(tree, "numpy")
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

    def propose_comprehension(self, tree: Tree, comp: cst.ListComp | cst.GeneratorExp, source: str,
                              finding: Finding, profile: Profile | None) -> list[Candidate]:
        """A comprehension over arrays becomes one whole-array expression (`loops/comprehension`)."""
        np, imports = module_name(tree, "numpy")
        node, code, reduces = replacement(tree, comp, finding, profile, np)
        edits = Edits()
        edits.replace[id(node)] = expr(code, tree)
        new = finish(tree, edits, imports)
        why = "the sum is taken in a different order (pairwise)" if reduces else "element-wise: same operations"
        return [candidate(self.kind, finding, source, new,
                          f"vectorize the comprehension at line {tree.line(comp)} (`{code}`)",
                          1e-7 if reduces else 1e-9, why)]
