"""Rewriter `dtype-narrow` for oversized-dtype: a large int64 array allocated in the dtype its values fit.

`counts = np.zeros(n, dtype=np.int64)` becomes `np.zeros(n, dtype=np.int16)` when the run saw only
values within int16 (the finding's evidence, or the profile's observed range of that array): the
deterministic NumPy factories get `dtype=` (`np.zeros`, `np.full`, `np.arange`, `np.array`, ...); any
other value gets `.astype(np.int16)` (random generators too: `integers(..., dtype=np.int16)` draws a
different stream). The observed range comes from a sub-sample, not a proof: the
verifier decides, with integers compared exactly. Declines for float arrays (advice only), when the
array is later stored into (`a[i] = ...`, `a += ...`: values could leave the range and wrap silently),
when the binding is not `name = value`, or when no range was observed.
"""

from __future__ import annotations

import libcst as cst

from optadvise import examples
from optadvise.model import Candidate, Finding, Profile
from optadvise.rewriters import register
from optadvise.rewriters.base import Decline, Rewriter
from optadvise.rewriters.cst import Edits, Tree, call_args, candidate, expr, finish
from optadvise.rules.facts import array, facts
from optadvise.rules.oversized_dtype import narrower_dtype

FACTORIES = {f"numpy.{f}" for f in ("zeros", "ones", "empty", "full", "arange", "array", "asarray")}
INT64 = {"numpy.int64", "int", "numpy.int_", "'int64'", '"int64"'}


def _labels(value: str) -> str:
    return f'''import numpy as np

rng = np.random.default_rng(0)
labels = {value}  # <-
print(np.bincount(labels).max())
'''


_DRAWN = "rng.integers(0, 1000, 8_000_000)"


_SEEN = facts(arrays=(array("labels", (8_000_000,), "int64", values=(0, 999)),))


@register
class DtypeNarrowRewriter(Rewriter):
    """Allocates a large int64 array in the smallest integer dtype its observed values fit."""

    kind = "dtype-narrow"
    EXAMPLES = (
        examples.Rewrite("oversized-dtype", _labels("np.full(8_000_000, 999)"),
                         _labels("np.full(8_000_000, 999, dtype=np.int16)"), profile=_SEEN),
        examples.Rewrite("oversized-dtype", _labels(_DRAWN), _labels(f"{_DRAWN}.astype(np.int16)"), profile=_SEEN),
        examples.Decline("oversized-dtype", _labels(_DRAWN) + "labels[0] = 5\n", "stored into", profile=_SEEN),
        examples.Decline("oversized-dtype", _labels(_DRAWN), "no observed value range"),
    )

    def propose(self, source: str, finding: Finding, profile: Profile | None) -> list[Candidate]:
        tree = Tree(source)
        st = tree.statement_at(finding.lineno)
        assign = st.body[0] if isinstance(st, cst.SimpleStatementLine) and len(st.body) == 1 else None
        if not (isinstance(assign, cst.Assign) and len(assign.targets) == 1
                and isinstance(assign.targets[0].target, cst.Name)):
            raise Decline(f"line {finding.lineno} is not `name = value`")
        name = assign.targets[0].target.value
        target = finding.evidence.get("fits") or _observed_fit(profile, finding.function, name)
        if target is None:
            raise Decline(f"no observed value range of `{name}` fits a smaller integer dtype")
        if not target.startswith("int"):
            raise Decline(f"`{name}` fits {target} only as observed floats: advice, not a rewrite")
        scope = tree.scope_of(assign)
        for n in tree.name_nodes(scope, name):
            p = tree.parent.get(n)
            if isinstance(p, cst.AugAssign) or (isinstance(p, cst.Subscript) and p.value is n
                                                and isinstance(tree.parent.get(p), (cst.AssignTarget,
                                                                                    cst.AugAssign))):
                raise Decline(f"`{name}` is stored into at line {tree.line(n)}: values could leave "
                              f"the observed range and wrap silently")
        edits = Edits()
        dtype = edits.ref(tree, "numpy", target)
        value = assign.value
        if isinstance(value, cst.Call) and _takes_dtype(tree, value):
            _, kw = call_args(value)
            given = kw.get("dtype")
            if given is not None and tree.code(given.value) not in INT64 \
                    and tree.resolve(given.value) not in INT64:
                raise Decline(f"`{name}` is allocated with dtype={tree.code(given.value)}")
            new_arg = cst.Arg(keyword=cst.Name("dtype"), value=expr(dtype, tree),
                              equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""),
                                                    whitespace_after=cst.SimpleWhitespace("")))
            args = [a for a in value.args if a is not given]
            if args:
                args[-1] = args[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
            edits.replace[id(value)] = value.with_changes(args=[*args, new_arg])
            how = f"allocated with dtype={dtype}"
        else:
            edits.replace[id(value)] = expr(f"({tree.code(value)}).astype({dtype})"
                                            if not isinstance(value, (cst.Call, cst.Name, cst.Attribute,
                                                                      cst.Subscript))
                                            else f"{tree.code(value)}.astype({dtype})", tree)
            how = f"converted with .astype({dtype})"
        new = finish(tree, edits)
        saved = finding.evidence.get("saved_bytes")
        return [candidate(self.kind, finding, source, new, f"`{name}` {how}", 0.0,
                          f"values observed within {target}" + (f"; saves {saved / 2**20:,.0f} MiB" if saved else ""))]


def _observed_fit(profile: Profile | None, function: str, name: str) -> str | None:
    """The narrower dtype of the array the profile saw under `name` (in `function` or at the top level)."""
    for a in profile.arrays if profile is not None else []:
        if a.name == name and a.function in (function, "<module>"):
            fit = narrower_dtype(a)
            if fit is not None:
                return fit
    return None


def _takes_dtype(tree: Tree, call: cst.Call) -> bool:
    """A deterministic NumPy factory: the same values in any integer dtype that holds them."""
    return tree.resolve(call.func) in FACTORIES
