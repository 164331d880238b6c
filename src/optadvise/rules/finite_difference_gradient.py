"""Rule finite-difference-gradient (OA601): a gradient-based scipy optimizer differentiating numerically."""

from __future__ import annotations

import ast

from optadvise.examples import Invalid, Measured, Valid
from optadvise.model import Finding, OptimizeStat, Profile
from optadvise.rules.base import Rule, Site
from optadvise.rules.facts import facts, optimizer
from optadvise.rules.index import ModuleIndex

MINIMIZE = "scipy.optimize.minimize"
LEAST_SQUARES = "scipy.optimize.least_squares"
# minimize methods that need no gradient; Newton-CG, dogleg, trust-ncg/-krylov/-exact refuse to run
# without a jac, so a script that runs never uses them without one
NO_GRADIENT = {"nelder-mead", "powell", "cobyla", "cobyqa"}
NEEDS_JAC = {"newton-cg", "dogleg", "trust-ncg", "trust-krylov", "trust-exact"}
POSITION = {MINIMIZE: {"method": 3, "jac": 4}, LEAST_SQUARES: {"jac": 2}}
MIN_OBJECTIVE_SHARE = 0.5  # the objective must take most of the run
MIN_PARAMS = 2  # one parameter costs one extra call per gradient: not worth an analytic jac
FD_CALLS_FRACTION = 0.8  # calls per iteration from this fraction of n + 1 on read as finite differences

_SCRIPT = ("import numpy as np\nfrom scipy.optimize import minimize\n\n\n"
           "def cost(x):\n    return float(np.sum((x - 1.0) ** 2))\n\n\n"
           "res = minimize(cost, np.zeros(20), method='BFGS')  # <-\nprint(res.fun)\n")


class FiniteDifferenceGradient(Rule):
    """A gradient-based `scipy.optimize` call given no `jac`, so it differentiates by finite differences.

    ## What it does
    Flags `scipy.optimize.minimize` with a gradient-based method (the default BFGS / L-BFGS-B /
    SLSQP, CG, TNC, trust-constr) and `scipy.optimize.least_squares` when no analytic `jac` is
    given. Measured, it reports how many times the objective ran per iteration (about n + 1 for n
    parameters means the gradient is estimated by finite differences), its share of the run and
    the measured cost of one gradient.

    ## Why is this bad?
    Without `jac`, SciPy estimates each gradient by calling the objective once more per
    parameter: with 50 parameters, 98% of the objective calls only serve the gradient. An
    analytic gradient usually costs about one objective evaluation, and is exact (fewer
    iterations, no step-size noise). With `jac=True` the objective returns the value and the
    gradient together, sharing their common work.

    ## Example
    ```python
    import numpy as np
    from scipy.optimize import minimize

    def cost(x):
        return float(np.sum((x - 1.0) ** 2))

    res = minimize(cost, np.zeros(50), method="BFGS")
    ```

    ## Use instead
    ```python
    import numpy as np
    from scipy.optimize import minimize

    def cost_and_grad(x):
        r = x - 1.0
        return float(np.sum(r ** 2)), 2.0 * r

    res = minimize(cost_and_grad, np.zeros(50), method="BFGS", jac=True)
    ```
    """

    slug = "finite-difference-gradient"
    code = "OA601"
    summary = "Gradient-based scipy optimizer without jac, estimating every gradient by finite differences"
    VALID = (
        Valid("from scipy.optimize import minimize\nminimize(f, x0, method='Nelder-Mead')\n"),
        Valid("from scipy.optimize import minimize\nminimize(f, x0, jac=grad)\n"),
        Valid("from scipy.optimize import minimize\nminimize(f, x0, method='BFGS', jac=True)\n"),
        Valid("from scipy.optimize import least_squares\nleast_squares(f, x0, jac=J)\n"),
        Valid("from scipy.optimize import minimize\nminimize(f, x0, method=chosen)\n"),
    )
    INVALID = (
        Invalid("from scipy.optimize import minimize\nres = minimize(f, x0)  # <-\n"),
        Invalid("import scipy.optimize as so\nres = so.minimize(f, x0, method='L-BFGS-B')  # <-\n"),
        Invalid("from scipy.optimize import minimize\nminimize(f, x0, (), 'SLSQP', '2-point')  # <-\n"),
        Invalid("from scipy.optimize import least_squares\nleast_squares(res, x0)  # <-\n"),
    )
    MEASURED = (
        # 20 parameters, 21 calls per iteration, the objective is 90% of the run: finite differences
        Measured(_SCRIPT, facts(optimizers=(optimizer(9, n_params=20, iterations=30, fun_calls=660,
                                                      fun_s=0.9, seconds=0.95, method="BFGS"),)),
                 evidence={"n_params": 20, "calls_per_iteration": 22.0}),
        # the same calls, but the objective is a small part of the run
        Measured(_SCRIPT, facts(optimizers=(optimizer(9, n_params=20, iterations=30, fun_calls=660,
                                                      fun_s=0.1, seconds=0.12, method="BFGS"),)),
                 flagged=False),
        # few calls per iteration: not finite differences (the run was given a jac another way)
        Measured(_SCRIPT, facts(optimizers=(optimizer(9, n_params=20, iterations=30, fun_calls=40,
                                                      fun_s=0.9, seconds=0.95, method="BFGS"),)),
                 flagged=False),
    )

    def find(self, index: ModuleIndex) -> list[Site]:
        sites = []
        for call in index.calls:
            if call.name not in POSITION:
                continue
            node = call.node
            method = _argument(node, "method", POSITION[call.name])
            if method is not None and not isinstance(method, ast.Constant):
                continue  # chosen at run time: the profile decides
            given = method.value if method is not None else None
            name = str(given).lower() if given is not None else ""
            if name in NO_GRADIENT or name in NEEDS_JAC:
                continue
            jac = _argument(node, "jac", POSITION[call.name])
            if jac is not None and not (isinstance(jac, ast.Constant)
                                        and (jac.value in (None, False) or isinstance(jac.value, str))):
                continue
            short = call.name.rsplit(".", 1)[-1]
            sites.append(Site(
                lineno=node.lineno, end_lineno=node.end_lineno or node.lineno, col=node.col_offset,
                function=call.function,
                message=f"{short}(){f' with method={given!r}' if name else ''} has no `jac`: "
                        f"every gradient is estimated by finite differences",
                detail={"api": call.name, "method": name}))
        return sites

    def confirm(self, site: Site, index: ModuleIndex, profile: Profile) -> Finding | None:
        stats = [o for o in profile.optimizers if o.api == site.detail["api"] and not o.has_jac
                 and site.lineno <= o.lineno <= site.end_lineno]
        if not stats:
            return None
        stat = _merged(stats)
        n = stat.n_params
        iterations = max(stat.iterations, 1)
        per_iteration = stat.fun_calls / iterations
        objective_share = min(1.0, stat.fun_s / max(profile.wall_s, 1e-9))
        if n < MIN_PARAMS or stat.iterations == 0 or per_iteration < FD_CALLS_FRACTION * (n + 1) \
                or objective_share < MIN_OBJECTIVE_SHARE:
            return None
        per_call = stat.fun_s / max(stat.fun_calls, 1)
        fd_fraction = min(1.0, iterations * n / max(stat.fun_calls, 1))
        evidence = {**site.detail, "n_params": n, "iterations": stat.iterations, "fun_calls": stat.fun_calls,
                    "calls_per_iteration": round(per_iteration, 1),
                    "objective_share": round(objective_share, 3), "objective_s": round(stat.fun_s, 3),
                    "gradient_cost_s": round(n * per_call, 6), "finite_difference_share": round(fd_fraction, 3)}
        message = (f"{site.message}: {per_iteration:.1f} objective calls per iteration for {n} parameters, "
                   f"the objective takes {objective_share:.0%} of the run and one gradient costs "
                   f"{n * per_call * 1e3:.3g} ms ({n} calls); give an analytic `jac` (or `jac=True` with "
                   f"the objective returning value and gradient)")
        return self.finding(index, site, message=message, evidence=evidence,
                            share=objective_share * fd_fraction)


def _argument(call: ast.Call, name: str, positions: dict[str, int]) -> ast.expr | None:
    """The expression passed for parameter `name`, by keyword or at its position; None if absent."""
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    pos = positions.get(name)
    if pos is not None and len(call.args) > pos and not any(isinstance(a, ast.Starred) for a in call.args[:pos + 1]):
        return call.args[pos]
    return None


def _merged(stats: list[OptimizeStat]) -> OptimizeStat:
    """Several runs of one call site (a loop of fits) as one: calls, iterations and time summed."""
    first = stats[0]
    return OptimizeStat(api=first.api, filename=first.filename, lineno=first.lineno, function=first.function,
                        method=first.method, has_jac=False, n_params=max(o.n_params for o in stats),
                        iterations=sum(o.iterations for o in stats), fun_calls=sum(o.fun_calls for o in stats),
                        fun_s=sum(o.fun_s for o in stats), seconds=sum(o.seconds for o in stats))
