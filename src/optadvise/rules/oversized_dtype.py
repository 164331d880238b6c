"""Rule oversized-dtype (OA602): large int64/float64 arrays whose observed values fit a smaller dtype."""

from __future__ import annotations

import ast

from optadvise.examples import Measured
from optadvise.model import MODULE, ArrayInfo, Finding, Profile
from optadvise.rules.base import Rule, Site
from optadvise.rules.facts import MIB, array, facts
from optadvise.rules.index import ModuleIndex

MIN_BYTES = 32 * MIB  # arrays from this size are worth narrowing
INT_RANGES = (("int8", -(2**7), 2**7 - 1), ("int16", -(2**15), 2**15 - 1), ("int32", -(2**31), 2**31 - 1))
ITEMSIZE = {"int8": 1, "int16": 2, "int32": 4, "float32": 4}

_LABELS = ("import numpy as np\n\nlabels = np.random.default_rng(0).integers(0, 1000, 8_000_000)  # <-\n"
           "print(np.bincount(labels).max())\n")
_FIELD = ("import numpy as np\n\nfield = np.random.default_rng(0).standard_normal(8_000_000)  # <-\n"
          "print(field.std())\n")


class OversizedDtype(Rule):
    """A large int64/float64 array whose observed values fit a dtype half or a quarter its size.

    ## What it does
    Reports, from a profiled run, large `int64` arrays whose values were all seen within the
    range of `int32`, `int16` or `int8`, and large `float64` arrays whose values all survive a
    round trip through `float32`. Values are observed on a strided sub-sample of each array while
    the script runs: the finding says what was seen, not a proof for every input. It gives the
    array's bytes, the run's measured peak memory and the memory the smaller dtype would save.
    Integer arrays are offered a rewrite (`dtype-narrow`) that `optadvise fix` keeps only when the
    narrowed script verifies (integers compared exactly); floats get advice only.

    ## Why is this bad?
    NumPy defaults to 64-bit integers and floats. An array of labels, counts or indices below
    32 767 in `int64` takes four times the memory (and memory bandwidth) it needs: reductions and
    copies over it move four times the bytes, and the run's peak memory sets the largest problem
    that fits on a machine. Narrow the dtype where the values allow it (`dtype=np.int32` at the
    allocation, `.astype(np.int16)` after a load). For floats, `float32` halves memory only where
    the results tolerate single precision: check them.

    ## Example
    ```python
    import numpy as np

    labels = np.random.default_rng(0).integers(0, 1000, 50_000_000)
    print(np.bincount(labels).max())
    ```

    ## Use instead
    ```python
    import numpy as np

    labels = np.random.default_rng(0).integers(0, 1000, 50_000_000, dtype=np.int16)
    print(np.bincount(labels).max())
    ```
    """

    slug = "oversized-dtype"
    code = "OA602"
    summary = "Large int64/float64 array whose observed values fit a smaller dtype"
    fixes = ("dtype-narrow",)
    static = False
    MEASURED = (
        # 64 MiB of int64 labels in 0..999: int16 holds them, saving 48 MiB
        Measured(_LABELS, facts(arrays=(array("labels", (8_000_000,), "int64", values=(0, 999)),),
                                peak_rss_bytes=200 * MIB),
                 evidence={"dtype": "int64", "fits": "int16", "saved_bytes": 48_000_000}),
        # float64 values that are float32-exact: advice for float32
        Measured(_FIELD, facts(arrays=(array("field", (8_000_000,), "float64", values=(-5.0, 5.0),
                                             float32_exact=True),), peak_rss_bytes=200 * MIB),
                 evidence={"fits": "float32"}),
        # real float64 data: not flagged
        Measured(_FIELD, facts(arrays=(array("field", (8_000_000,), "float64", values=(-5.0, 5.0),
                                             float32_exact=False),)), flagged=False),
        # int64 values beyond int32: not flagged
        Measured(_LABELS, facts(arrays=(array("labels", (8_000_000,), "int64", values=(0, 2**40)),)),
                 flagged=False),
        # small array: not flagged
        Measured(_LABELS, facts(arrays=(array("labels", (1_000_000,), "int64", values=(0, 999)),)),
                 flagged=False),
    )

    def discover(self, index: ModuleIndex, profile: Profile) -> list[Finding]:
        found = []
        seen: set[str] = set()
        for a in sorted(profile.arrays, key=lambda a: a.nbytes, reverse=True):
            if a.filename != index.filename or a.kind != "ndarray" or a.nbytes < MIN_BYTES \
                    or a.is_argument or a.name in seen:
                continue
            smaller = narrower_dtype(a)
            line = _binding(index, a.function, a.name)
            if smaller is None or line is None:
                continue
            seen.add(a.name)
            saved = a.nbytes - a.nbytes * ITEMSIZE[smaller] // 8
            peak = profile.peak_rss_bytes
            observed = f"{a.value_min:g}..{a.value_max:g}" if smaller != "float32" else "float32-exact values"
            message = (f"`{a.name}` is {a.dtype} ({a.nbytes / MIB:,.0f} MiB) but every value observed "
                       f"({observed}, on a sub-sample) fits {smaller}: {saved / MIB:,.0f} MiB would be saved"
                       + (f" of a {peak / MIB:,.0f} MiB peak" if peak else "")
                       + ("; check that the results tolerate single precision" if smaller == "float32" else ""))
            site = Site(lineno=line.lineno, end_lineno=line.end_lineno or line.lineno, col=line.col_offset,
                        function=a.function, message=message)
            evidence = {"name": a.name, "dtype": a.dtype, "fits": smaller, "nbytes": a.nbytes,
                        "saved_bytes": saved, "peak_rss_bytes": peak, "value_min": a.value_min,
                        "value_max": a.value_max, "observed_on": "strided sub-sample"}
            found.append(self.finding(index, site, evidence=evidence, share=min(1.0, saved / peak) if peak else 0.0,
                                      fixes=self.fixes if smaller.startswith("int") else ()))
        return found


def narrower_dtype(a: ArrayInfo) -> str | None:
    """The smallest dtype holding every value observed in `a`, when smaller than its own."""
    if a.value_min is None or a.value_max is None:
        return None
    if a.dtype == "int64":
        return next((name for name, lo, hi in INT_RANGES if lo <= a.value_min and a.value_max <= hi), None)
    if a.dtype == "float64" and a.float32_exact:
        return "float32"
    return None


def _binding(index: ModuleIndex, function: str, name: str) -> ast.stmt | ast.expr | None:
    """The first statement of `function` (or the top level) that binds `name`."""
    scope = index.scopes.get(function) or index.scopes[MODULE]
    values = scope.assigned.get(name)
    if not values:
        return None
    value = values[0]
    parent = index.parents.get(value)
    if isinstance(parent, (ast.Assign, ast.AnnAssign)):
        return parent
    return value if isinstance(value, (ast.stmt, ast.expr)) else None
