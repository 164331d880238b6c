"""Rule append-in-loop (OA102): arrays grown by copying inside a loop; the `x = np.append(x, ...)` recogniser."""

from __future__ import annotations

import ast
import math

from optadvise.examples import Invalid, Measured, Valid
from optadvise.model import Finding, Profile
from optadvise.rules.base import Rule, Site
from optadvise.rules.evidence import observed_arrays, span_share
from optadvise.rules.facts import array, facts, hot
from optadvise.rules.index import ModuleIndex

GROWERS = {"numpy.append", "numpy.concatenate", "numpy.vstack", "numpy.hstack", "numpy.row_stack",
           "numpy.column_stack", "numpy.dstack", "numpy.stack"}
MIN_SHARE = 0.02
MIN_GROWN = 1_000  # a grown array this long is reported even when the loop's share is small
_SQUARES = ("import numpy as np\ndef squares(n):\n    x = np.array([])\n    for k in range(n):  # <-\n"
            "        x = np.append(x, k * k)\n    return x\nprint(squares(12_000).sum())\n")


class AppendInLoop(Rule):
    """An array grown inside a loop with `np.append`, `np.concatenate`, `np.vstack`/`hstack`.

    ## What it does
    Flags `x = np.append(x, ...)` and its relatives (`np.concatenate([x, ...])`, `np.vstack`,
    `np.hstack`, ...) inside a loop, where the profile shows the loop takes a share of the run
    or the grown array was seen. The finding points at the loop, which the rewrite replaces.

    ## Why is this bad?
    NumPy arrays cannot grow in place. Each call allocates a new array and copies everything
    gathered so far, so n iterations copy O(n^2) elements; 20,000 rows of 4 columns copy 1.6
    billion numbers. Compute the rows with whole-array operations (a mask for selected elements,
    `np.column_stack` for derived columns), or collect the pieces in a Python list and call
    `np.concatenate`/`np.vstack` once after the loop.

    ## Example
    ```python
    import numpy as np

    table = np.empty((0, 4))
    for k in range(20_000):
        table = np.vstack([table, np.array([k, k + 1.0, k * 2.0, 1.0])])
    ```

    ## Use instead
    ```python
    import numpy as np

    rows = []
    for k in range(20_000):
        rows.append(np.array([k, k + 1.0, k * 2.0, 1.0]))
    table = np.vstack(rows)
    ```
    """

    slug = "append-in-loop"
    code = "OA102"
    summary = "Array grown with np.append/np.concatenate/np.vstack inside a loop"
    fixes = ("vectorize",)
    VALID = (
        Valid("import numpy as np\nparts = []\nfor k in range(3):\n    parts.append(np.ones(2))\n"
              "x = np.concatenate(parts)\n"),
        Valid("import numpy as np\nx = np.append(np.ones(2), 3)\n"),
        Valid("import numpy as np\nparts = []\nfor k in range(6_000):\n"
              "    parts.append(np.array([k, k + 1.0, k * 2.0, 1.0]))\ntable = np.vstack(parts)\n"),
    )
    INVALID = (
        Invalid("import numpy as np\nx = np.array([])\nfor k in range(10):\n    x = np.append(x, k)  # <-\n",
                fixes=("vectorize",)),
        Invalid("import numpy as np\ndef grow(rows):\n    t = np.empty((0, 2))\n    for r in rows:\n"
                "        t = np.vstack([t, r])  # <-\n    return t\n", fixes=("vectorize",)),
    )
    MEASURED = (
        # the loop takes 90% of the run and `x` ends as 12,000 elements: reported on the loop
        Measured(_SQUARES, facts(functions=(hot("squares", 2, 0.9, {4: 0.1, 5: 0.9}),),
                                 arrays=(array("x", (12_000,), function="squares"),)),
                 evidence={"api": "numpy.append", "name": "x", "final_shape": [12_000]}),
        # the loop takes 1% of the run and the grown array was never seen: a few cheap appends
        Measured(_SQUARES, facts(functions=(hot("squares", 2, 0.01, {4: 0.5, 5: 0.5}),)), flagged=False),
    )

    def find(self, index: ModuleIndex) -> list[Site]:
        sites = []
        for call in index.calls:
            if call.name not in GROWERS or not call.loops:
                continue
            grown = grown_name(index, index.parents.get(call.node))
            if grown is None:
                continue
            loop = call.loops[-1].node
            sites.append(Site(
                lineno=call.node.lineno, end_lineno=call.node.end_lineno or call.node.lineno,
                col=call.node.col_offset, function=call.function,
                message=f"`{grown}` is grown with {call.name.replace('numpy.', 'np.')} inside a "
                        f"loop: every iteration copies the whole array (quadratic time)",
                detail={"name": grown, "api": call.name, "loop_line": loop.lineno,
                        "loop_end": loop.end_lineno or loop.lineno}))
        return sites

    def confirm(self, site: Site, index: ModuleIndex, profile: Profile) -> Finding | None:
        share = span_share(profile, index, site.function, site.detail["loop_line"],
                           site.detail["loop_end"])
        seen = {n: a for n, a in observed_arrays(profile, site.function, {site.detail["name"]}).items()
                if math.prod(a.shape) >= MIN_GROWN}
        if share < MIN_SHARE and not seen:
            return None
        evidence = dict(site.detail)
        if seen:
            a = seen[site.detail["name"]]
            evidence.update(final_shape=list(a.shape), dtype=a.dtype, mb=round(a.nbytes / 2**20, 2))
        f = self.finding(index, site, evidence=evidence, share=share,
                         message=f"{site.message}; the loop takes {share:.0%} of the run.")
        f.lineno = site.detail["loop_line"]  # rewriters work on the whole loop
        return f


def grown_name(index: ModuleIndex, stmt: ast.AST | None) -> str | None:
    """The name in `x = np.append(x, ...)` / `x = np.concatenate([x, ...])`, else None."""
    if not isinstance(stmt, (ast.Assign, ast.AugAssign)):
        return None
    call = stmt.value
    if not (isinstance(call, ast.Call) and call.args and index.resolve(call.func) in GROWERS):
        return None
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
    names = {t.id for t in targets if isinstance(t, ast.Name)}
    first = call.args[0]
    parts = first.elts if isinstance(first, (ast.List, ast.Tuple)) else [first]
    return next((p.id for p in parts if isinstance(p, ast.Name) and p.id in names), None)
