"""Rule loop-over-ndarray (OA101): element-by-element loops over arrays, and their dependences."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from optadvise.examples import Invalid, Measured, Valid
from optadvise.model import MODULE, Finding, Profile
from optadvise.rules.append_in_loop import grown_name
from optadvise.rules.base import Rule, Site
from optadvise.rules.comprehensions import comprehension_sites
from optadvise.rules.evidence import describe_array, observed_arrays, span_share
from optadvise.rules.facts import array, facts, hot, numbers
from optadvise.rules.index import Loop, ModuleIndex, dotted_name

MIN_SHARE = 0.05  # a loop below this share of the run is not worth rewriting
N = 1_000_000  # elements of the arrays in the measured examples
_ELEMENTWISE = ("import numpy as np\na = np.ones(N)\nb = np.ones(N)\nout = np.empty_like(a)\n"
                "for i in range(len(a)):  # <-\n    out[i] = a[i] * b[i]\n")
_MAPPED = tuple(array(name, (N,)) for name in ("a", "b", "out"))  # what the profiler saw of _ELEMENTWISE
_RECURRENCE = ("import numpy as np\ndef logistic(x, r):\n    for i in range(1, x.shape[0]):  # <-\n"
               "        x[i] = r * x[i - 1] * (1 - x[i - 1])\n    return x\n"
               "x = logistic(np.full(N, 0.5), 3.7)\n")
_UNTYPED = ("def scale(a, out):\n    for i in range(len(a)):  # <-\n        out[i] = a[i] * 2.0\n"
            "scale(list(range(N)), [0.0] * N)\n")
_STEPPED = ("import numpy as np\ndef sweep(u, v, src):\n    for t in range(src.shape[0]):  # <-\n"
            "        u[0] = src[t]\n        for i in range(1, u.shape[0] - 1):\n"
            "            v[i] = u[i - 1] + u[i + 1]\n        for i in range(1, u.shape[0]):\n"
            "            u[i] = 0.5 * (v[i] + u[i - 1])\n"
            "sweep(np.zeros(N), np.zeros(N), np.ones(20))\n")
_GENEXPR = ("import numpy as np\ndef energy(signal):\n    return sum(x * x for x in signal)  # <-\n"
            "e = energy(np.ones(N))\n")
_LIST_MATMUL = ("def matmul(X, Y):\n    Z = [[0.0] * len(Y[0]) for _ in X]\n    for i in range(len(X)):  # <-\n"
                "        for j in range(len(Y[0])):\n            s = 0.0\n            for p in range(len(Y)):\n"
                "                s += X[i][p] * Y[p][j]\n            Z[i][j] = s\n    return Z\n")
_LISTS = tuple(numbers(n, (300, 300), function="matmul") for n in ("X", "Y", "Z"))  # lists of lists of floats
_METHOD = ("import numpy as np\nclass Model:\n    def __init__(self, x, coef):\n        self.x, self.coef = x, coef\n"
           "    def predict(self):\n        n, p = self.x.shape\n        out = np.zeros(n)\n"
           "        for i in range(n):  # <-\n            for j in range(p):\n"
           "                out[i] += self.x[i, j] * self.coef[j]\n        return out\n")
_HELD = (array("self.x", (N // 10, 10), function="Model.predict"), array("self.coef", (10,), function="Model.predict"))
_TALLY = ("class Registry:\n    def __init__(self, names):\n        self.names = names\n        self.count = 0\n"
          "    def tally(self):\n        for i in range(len(self.names)):\n"
          "            if self.names[i].startswith('a'):\n                self.count += 1\n        return self.count\n")
ARRAY_HINT_ATTRS = {"shape", "size", "ndim", "dtype", "T", "flat", "reshape", "astype", "copy"}


class LoopOverNdarray(Rule):
    """A Python-level loop that indexes or iterates NumPy arrays (or long lists of numbers).

    ## What it does
    Flags a loop that works on arrays element by element, where the profile shows it takes a
    real share of the run, and reports whether its iterations are independent, only accumulate a
    reduction, or carry a dependence from one iteration to the next. List comprehensions and
    generator expressions over arrays (`sum(x * x for x in a)`, `[p + q for p, q in zip(a, b)]`)
    are the same loop and are reported and vectorised alike.

    ## Why is this bad?
    Every iteration runs the interpreter: an indexing operation boxes a Python float, arithmetic
    dispatches dynamically, and the result is unboxed again: about 100-300 ns per element against
    about 1 ns for the same work in NumPy's compiled loops. The fix depends on the dependences:
    independent iterations (element-wise maps, reductions, stencils reading another array) are
    vectorised with whole-array NumPy expressions (`out = a * b`, `s = a @ b`, slices for
    stencils, masks for filters); a dependence carried between iterations (a recurrence such as
    `x = r * x * (1 - x)`, `a[i] = a[i-1] + ...`, data-dependent branches or an early `break`)
    is compiled with Numba's `@numba.njit`, unless only the outer loop of a nest carries it (the
    pivot loop of LU, time steps): then the nest inside it is vectorised where that is provably legal.

    ## Example
    ```python
    import numpy as np

    a = np.linspace(0.0, 1.0, 5_000_000)
    b = np.ones_like(a)
    out = np.empty_like(a)
    for i in range(len(a)):
        out[i] = a[i] * b[i]
    ```

    ## Use instead
    ```python
    import numpy as np

    a = np.linspace(0.0, 1.0, 5_000_000)
    b = np.ones_like(a)
    out = a * b
    ```
    """

    slug = "loop-over-ndarray"
    code = "OA101"
    summary = "Python-level loop indexing or iterating NumPy arrays in a hot spot"
    fixes = ("vectorize", "numba")
    VALID = (
        Valid("import numpy as np\nx = np.zeros(10)\nfor _ in range(20):\n    x = np.tanh(x @ x)\n"),
        Valid("for i in range(10):\n    print(i)\n"),
        Valid("words = ['a', 'b']\nupper = [w.upper() for w in ('x', 'y')]\n"),
        Valid("import numpy as np\ndef f(a):\n    return a * 2\n"),
        Valid("def collatz(n):\n    steps = 0\n    while n != 1:\n"
              "        n = n // 2 if n % 2 == 0 else 3 * n + 1\n        steps += 1\n    return steps\n"),
        Valid(_TALLY),
    )
    INVALID = (
        Invalid("import numpy as np\na = np.ones(100)\nb = np.ones(100)\nout = np.empty_like(a)\n"
                "for i in range(len(a)):  # <-\n    out[i] = a[i] * b[i]\n", fixes=("vectorize", "numba")),
        Invalid("import numpy as np\ndef norm(v):\n    s = 0.0\n    for i in range(v.shape[0]):  # <-\n"
                "        s += v[i] ** 2\n    return s\n", fixes=("vectorize", "numba")),
        Invalid("import numpy as np\nv = np.zeros(5)\nk = 0\nwhile k < v.size:  # <-\n"
                "    v[k] = k * 2.0\n    k += 1\n", fixes=("vectorize", "numba")),
        Invalid("import numpy as np\na = np.ones(100)\nb = np.ones(100)\n"
                "c = [x + y for x, y in zip(a, b)]  # <-\n", fixes=("vectorize", "numba")),
        Invalid(_METHOD, fixes=("vectorize", "numba")),  # `self.x` is used as an array (`.shape`)
    )
    MEASURED = (
        # an element-wise map over a million elements, 95% of the run: vectorise it
        Measured(_ELEMENTWISE, facts(functions=(hot(MODULE, 1, 1.0, {5: 0.3, 6: 0.65}),),
                                     arrays=_MAPPED),
                 evidence={"dependence": "independent"}),
        # a recurrence inside a function: the dependence is carried, so Numba is the fix
        Measured(_RECURRENCE, facts(functions=(hot("logistic", 2, 0.9, {3: 0.2, 4: 0.8}),),
                                    arrays=(array("x", (N,), function="logistic"),)),
                 evidence={"dependence": "carried"}),
        # time steps that index only a short source array, around loops over big arrays: the big
        # arrays are the nest's; the steps carry a dependence, the loops inside may be vectorised
        Measured(_STEPPED, facts(functions=(hot("sweep", 2, 0.9, {5: 0.3, 6: 0.3, 8: 0.35}),),
                                 arrays=(array("u", (N,), function="sweep"), array("v", (N,), function="sweep"))),
                 evidence={"dependence": "carried"}),
        # a generator expression summed over a million elements: the same hot loop, vectorised
        Measured(_GENEXPR, facts(functions=(hot("energy", 2, 0.9, {3: 0.95}),),
                                 arrays=(array("signal", (N,), function="energy"),)),
                 evidence={"dependence": "reduction", "comprehension": True}),
        # a matrix product over Python lists of lists, seen by the profiler: reported as lists
        Measured(_LIST_MATMUL, facts(functions=(hot("matmul", 1, 0.9, {7: 0.95}),), arrays=_LISTS),
                 evidence={"dependence": "reduction", "lists": ["X", "Y", "Z"]}),
        # a method's nest over arrays the object holds, seen by the profiler as `self.x`, `self.coef`
        Measured(_METHOD, facts(functions=(hot("Model.predict", 5, 0.9, {8: 0.05, 9: 0.15, 10: 0.8}),),
                                arrays=_HELD),
                 evidence={"dependence": "independent"}),
        # a hot method whose loop indexes only a list of strings on the object: no array in sight
        Measured(_TALLY, facts(functions=(hot("Registry.tally", 5, 0.9, {6: 0.3, 7: 0.5, 8: 0.1}),)),
                 flagged=False),
        # the same map, but the loop takes 2% of the run: not worth rewriting
        Measured(_ELEMENTWISE, facts(functions=(hot(MODULE, 1, 1.0, {5: 0.01, 6: 0.01}),),
                                     arrays=_MAPPED),
                 flagged=False),
        # a hot loop over arrays too small for the profiler to record, made with NumPy in sight
        Measured(_ELEMENTWISE, facts(functions=(hot(MODULE, 1, 1.0, {5: 0.3, 6: 0.65}),)),
                 evidence={"dependence": "independent"}),
        # a hot loop, but none of its names was seen holding an array nor is one statically
        Measured(_UNTYPED, facts(functions=(hot("scale", 2, 0.9, {3: 0.3, 4: 0.6}),)),
                 flagged=False),
    )

    def find(self, index: ModuleIndex) -> list[Site]:
        sites = []
        qualifying: set[int] = set()
        for loop in index.loops:  # outer loops come first in the index
            facts = loop_facts(index, loop)
            if facts is None or any(id(p.node) in qualifying for p in _ancestors(loop)):
                continue
            qualifying.add(id(loop.node))
            names = sorted(facts.arrays | ({facts.iterates} if facts.iterates else set()))
            what = f"iterates over `{facts.iterates}`" if facts.iterates else \
                "indexes " + ", ".join(f"`{n}`" for n in sorted(facts.arrays))
            sites.append(Site(
                lineno=loop.node.lineno, end_lineno=loop.node.end_lineno or loop.node.lineno,
                col=loop.node.col_offset, function=loop.function,
                message=f"Python loop {what} element by element; {facts.dependence_text()}",
                detail={"names": names, "dependence": facts.dependence, "why": facts.why,
                        "static_arrays": sorted(facts.static_arrays), "nest": _nest(loop.node)},
                # statically, only integer indexing of known arrays is clear; iterating an array
                # directly may walk rows (array work per step), which only the profile can tell
                confident=bool(facts.static_arrays & facts.arrays) and not _few_iterations(loop.node)
                and not _row_wise(loop.node)))
        for comp in comprehension_sites(index, qualifying):
            node = comp.node
            names = sorted(set(comp.iterated) | comp.arrays)
            what = "generator expression" if isinstance(node, ast.GeneratorExp) else "list comprehension"
            sites.append(Site(
                lineno=node.lineno, end_lineno=node.end_lineno or node.lineno, col=node.col_offset,
                function=comp.function,
                message=f"{what} walks " + ", ".join(f"`{n}`" for n in names) + " element by element",
                detail={"names": names, "dependence": "reduction" if comp.reduction else "independent",
                        "why": "each element is computed on its own", "comprehension": True,
                        "static_arrays": sorted(n for n in names if _array_like(index, comp.function, n, node))},
                confident=any(_array_like(index, comp.function, n, node) for n in names)))
        return sites

    def confirm(self, site: Site, index: ModuleIndex, profile: Profile) -> Finding | None:
        share = span_share(profile, index, site.function, site.lineno, site.end_lineno)
        seen = observed_arrays(profile, site.function, set(site.detail["names"]))
        # arrays too small for the profiler to record count when the code makes them with NumPy
        if share < MIN_SHARE or not (seen or site.confident):
            return None
        arrays = {n: {"kind": a.kind, "shape": list(a.shape), "dtype": a.dtype}
                  for n, a in sorted(seen.items())}
        dependence = site.detail["dependence"]
        nest = site.detail.get("nest", False)
        advice = ("vectorise it with NumPy" if dependence != "carried"
                  else "vectorise the loops inside it or compile it with Numba (@numba.njit)" if nest
                  else "compile it with Numba (@numba.njit)")
        over = describe_array(max(seen.values(), key=lambda a: a.nbytes)) if seen else \
            "small NumPy arrays (" + ", ".join(f"`{n}`" for n in site.detail["static_arrays"]) + ")"
        lists = sorted(n for n, a in seen.items() if a.kind == "list")
        if lists:  # Python lists of numbers: NumPy or Numba need them as arrays first
            over += " (Python list" + ("s " if len(lists) > 1 else " ") + \
                ", ".join(f"`{n}`" for n in lists) + ": convert with np.asarray once, outside the loop)"
        message = f"{site.message}. It takes {share:.0%} of the run over {over}: {advice}."
        evidence = {"arrays": arrays, "dependence": dependence, "why": site.detail["why"]}
        if lists:
            evidence["lists"] = lists
        if site.detail.get("comprehension"):
            evidence["comprehension"] = True
        fixes = ("vectorize",) if site.detail.get("comprehension") else \
            ("vectorize", "numba") if dependence != "carried" or nest else ("numba",)
        return self.finding(index, site, message=message, evidence=evidence, share=share,
                            fixes=fixes)


@dataclass
class LoopFacts:
    arrays: set[str]  # names subscripted with an index derived from a loop variable
    static_arrays: set[str]  # of those (and the iterated name), the ones known to be arrays statically
    iterates: str | None  # `for x in NAME` / enumerate(NAME) / zip(NAME, ...)
    dependence: str  # "independent" | "reduction" | "carried"
    why: str

    def dependence_text(self) -> str:
        return {"independent": "its iterations are independent",
                "reduction": "its iterations only accumulate a reduction",
                }.get(self.dependence, f"it carries a dependence between iterations ({self.why})")


def _few_iterations(node: ast.For | ast.While) -> bool:
    """`range(4)`, `range(a.ndim)`, `range(len(a.shape))`, `for ax in (0, 1)`: a few items or axes."""
    if not isinstance(node, ast.For):
        return False
    it = node.iter
    if isinstance(it, (ast.Tuple, ast.List)):
        return True
    if not (isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "range"):
        return False
    if all(isinstance(a, ast.Constant) and isinstance(a.value, int) and a.value < 1000
           for a in it.args):
        return True
    for n in (n for a in it.args for n in ast.walk(a)):
        if isinstance(n, ast.Attribute) and n.attr == "ndim":
            return True
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "len" \
                and n.args and isinstance(n.args[0], ast.Attribute) and n.args[0].attr == "shape":
            return True
    return False


def _row_wise(node: ast.For | ast.While) -> bool:
    """Every indexing by the loop variable takes a whole slice too (`a[i, :]`): per-row array work."""
    lvars = loop_vars(node)
    subs = [s for s in ast.walk(node) if isinstance(s, ast.Subscript)
            and {n.id for n in ast.walk(s.slice) if isinstance(n, ast.Name)} & lvars]
    return bool(subs) and all(any(isinstance(n, ast.Slice) for n in ast.walk(s.slice)) for s in subs)


def _ancestors(loop: Loop) -> list[Loop]:
    out = []
    while loop.parent is not None:
        loop = loop.parent
        out.append(loop)
    return out


def loop_vars(node: ast.For | ast.While) -> set[str]:
    """The loop's integer index variables: `i` of `range(...)`, the index of `enumerate(...)`,
    a `while` counter. Names from other iterables (field names, dict items, nditer) are not
    element indices, so subscripts by them are not element-by-element array work."""
    if isinstance(node, ast.For):
        it, target = node.iter, node.target
        if isinstance(it, ast.Call) and isinstance(it.func, ast.Name):
            if it.func.id == "range" and isinstance(target, ast.Name):
                return {target.id}
            if it.func.id == "enumerate" and isinstance(target, ast.Tuple) and target.elts \
                    and isinstance(target.elts[0], ast.Name):
                return {target.elts[0].id}
        return set()
    # while i < n: ... i += 1  -> the names the test compares that the body increments
    tested = {n.id for n in ast.walk(node.test) if isinstance(n, ast.Name)}
    bumped = {s.target.id for s in ast.walk(node) if isinstance(s, ast.AugAssign)
              and isinstance(s.target, ast.Name)}
    return tested & bumped


def _iterated_name(node: ast.For | ast.While) -> str | None:
    if not isinstance(node, ast.For):
        return None
    it = node.iter
    if isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id in ("enumerate", "zip"):
        names = [n for n in map(dotted_name, it.args) if n is not None]
        return names[0] if names else None
    return dotted_name(it)


def loop_facts(index: ModuleIndex, loop: Loop) -> LoopFacts | None:
    """What the loop touches, or None if it does not work on arrays element by element."""
    node, function = loop.node, loop.function
    arrays = _indexed(node, loop_vars(node))
    iterated = _iterated_name(node)  # kept even if not evidently an array: the profile decides
    if not arrays and not iterated:
        return None
    # the arrays its inner loops index belong to the nest too (`for t in steps: ... a[i] ...`)
    arrays |= _indexed(node, set().union(*(loop_vars(n) for n in ast.walk(node)
                                           if isinstance(n, (ast.For, ast.While)) and n is not node)))
    static = {n for n in arrays | ({iterated} if iterated else set())
              if _array_like(index, function, n, node)}
    dependence, why = classify_dependence(index, node)
    return LoopFacts(arrays, static, iterated, dependence, why)


def _indexed(node: ast.AST, lvars: set[str]) -> set[str]:
    """The names (or attribute chains: `self.x`) subscripted, under `node`, with an index that uses
    one of `lvars`."""
    return {name for sub in ast.walk(node) if isinstance(sub, ast.Subscript)
            and (name := dotted_name(sub.value)) is not None
            and {n.id for n in ast.walk(sub.slice) if isinstance(n, ast.Name)} & lvars}


def _array_like(index: ModuleIndex, function: str, name: str, loop: ast.AST) -> bool:
    """Statically, is `name` an ndarray here? Bound from NumPy (`self.x` by a method of its class), or
    a parameter (or an attribute of one: `self.x`) used as an array."""
    if index.is_array_name(name, function):
        return True
    scope = index.scopes.get(function)
    if scope is None or name.split(".")[0] not in scope.params:
        return False
    for node in ast.walk(scope.node):
        if isinstance(node, ast.Attribute) and dotted_name(node.value) == name and node.attr in ARRAY_HINT_ATTRS:
            return True
        if isinstance(node, ast.Call) and (index.resolve(node.func) or "").startswith("numpy.") \
                and any(dotted_name(a) == name for a in node.args):
            return True
    return False


def _nest(node: ast.For | ast.While) -> bool:
    """A `for` nest with no early exit or `while`: when its outer loop carries the dependence, the
    nest inside may still vectorise (partial vectorisation), so both remedies are offered."""
    body = [n for n in ast.walk(node) if n is not node]
    return isinstance(node, ast.For) and any(isinstance(n, ast.For) for n in body) and not any(
        isinstance(n, (ast.Break, ast.Return, ast.Raise, ast.While)) for n in body)


def classify_dependence(index: ModuleIndex, node: ast.For | ast.While) -> tuple[str, str]:
    """Whether a loop nest's iterations are independent, a reduction, or carry a dependence."""
    body = [n for n in ast.walk(node) if n is not node]
    if any(isinstance(n, (ast.Break, ast.Return, ast.Raise)) for n in body):
        return "carried", "early exit"
    if any(isinstance(n, ast.While) and not counted_while(n) for n in (node, *body)):
        return "carried", "while loop whose trip count depends on the data"
    for loop in [node, *(n for n in body if isinstance(n, ast.For))]:
        name = _scalar_recurrence(index, loop)
        if name:
            return "carried", f"`{name}` is read before it is written in each iteration"
    name = _array_recurrence(node)
    if name:
        return "carried", f"`{name}` is written and read at different indices"
    counters = {counted_while(n) for n in (node, *body) if isinstance(n, ast.While)}
    if any(isinstance(n, ast.AugAssign) and (isinstance(n.target, ast.Attribute)
                                             or isinstance(n.target, ast.Name) and n.target.id not in counters)
           for n in body):
        return "reduction", "accumulates into a scalar"
    if _running_extremes(node):
        return "reduction", "keeps a running minimum or maximum"
    return "independent", "no value flows from one iteration to the next"


def counted_while(loop: ast.While) -> str | None:
    """The counter of `while i < stop:` (or `<=`) whose body ends with `i += 1` and has no early exit:
    a for loop over a range written as a while (the vectorizer proves the rest)."""
    test, last = loop.test, loop.body[-1]
    if not (isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and len(test.ops) == 1
            and isinstance(test.ops[0], (ast.Lt, ast.LtE))):
        return None
    if not (isinstance(last, ast.AugAssign) and isinstance(last.op, ast.Add) and isinstance(last.target, ast.Name)
            and last.target.id == test.left.id and isinstance(last.value, ast.Constant) and last.value.value == 1):
        return None
    if loop.orelse or any(isinstance(n, (ast.Break, ast.Continue, ast.Return, ast.Raise)) for n in ast.walk(loop)):
        return None
    return test.left.id


def _running_extremes(loop: ast.AST) -> set[str]:
    """Names every assignment in the loop keeps as a running extreme: `m = max(m, e)` (or `min`), or
    `m = e` under `if e > m:` (`<`, `>=`, `<=`, either side): a reduction, not a recurrence."""
    def extreme(a: ast.Assign, guard: ast.expr | None) -> str | None:
        if len(a.targets) != 1 or not isinstance(a.targets[0], ast.Name):
            return None
        m, v = a.targets[0].id, a.value
        if isinstance(v, ast.Call) and isinstance(v.func, ast.Name) and v.func.id in ("max", "min") \
                and len(v.args) == 2 and not v.keywords and any(isinstance(x, ast.Name) and x.id == m for x in v.args):
            return m
        if isinstance(guard, ast.Compare) and len(guard.ops) == 1 \
                and isinstance(guard.ops[0], (ast.Gt, ast.Lt, ast.GtE, ast.LtE)):
            sides = [ast.dump(guard.left), ast.dump(guard.comparators[0])]
            if ast.dump(ast.Name(m, ast.Load())) in sides and ast.dump(v) in sides:
                return m
        return None

    kept: dict[str, bool] = {}
    for node in ast.walk(loop):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Assign):
                guard = node.test if isinstance(node, ast.If) and child in node.body else None
                for t in child.targets:
                    if isinstance(t, ast.Name):
                        kept[t.id] = kept.get(t.id, True) and extreme(child, guard) == t.id
    return {name for name, ok in kept.items() if ok}


def _scalar_recurrence(index: ModuleIndex, loop: ast.For | ast.While) -> str | None:
    """A name assigned (not augmented) in the loop body and read before that assignment."""
    written: set[str] = set()
    assigned_plain = {t.id for s in ast.walk(loop) if isinstance(s, ast.Assign)
                      and grown_name(index, s) is None for t in s.targets if isinstance(t, ast.Name)}
    assigned_plain -= _running_extremes(loop)
    for stmt in loop.body:
        for name in _reads_then_writes(stmt):
            kind, ident = name
            if kind == "r" and ident in assigned_plain and ident not in written:
                return ident
            if kind == "w":
                written.add(ident)
    return None


def _reads_then_writes(stmt: ast.stmt) -> list[tuple[str, str]]:
    """('r'|'w', name) events of a statement in evaluation order (values before targets)."""
    events: list[tuple[str, str]] = []
    if isinstance(stmt, ast.Assign):
        events += [("r", n.id) for n in ast.walk(stmt.value) if isinstance(n, ast.Name)]
        for t in stmt.targets:
            events += [("w" if isinstance(n.ctx, ast.Store) else "r", n.id)
                       for n in ast.walk(t) if isinstance(n, ast.Name)]
    elif isinstance(stmt, ast.AugAssign):
        events += [("r", n.id) for n in ast.walk(stmt.value) if isinstance(n, ast.Name)]
    elif isinstance(stmt, (ast.For, ast.While, ast.If, ast.With)):
        head = stmt.iter if isinstance(stmt, ast.For) else getattr(stmt, "test", None)
        if head is not None:
            events += [("r", n.id) for n in ast.walk(head) if isinstance(n, ast.Name)]
        for child in [*stmt.body, *getattr(stmt, "orelse", [])]:
            events += _reads_then_writes(child)
    else:
        events += [("r", n.id) for n in ast.walk(stmt) if isinstance(n, ast.Name)
                   and isinstance(n.ctx, ast.Load)]
    return events


def _array_recurrence(node: ast.AST) -> str | None:
    """An array written at one index and read at another inside the loop (`a[i] = a[i-1] + ...`)."""
    writes: dict[str, set[str]] = {}
    reads: dict[str, set[str]] = {}
    for n in ast.walk(node):
        if isinstance(n, ast.Subscript) and (name := dotted_name(n.value)) is not None:
            key = ast.dump(n.slice)
            (writes if isinstance(n.ctx, ast.Store) else reads).setdefault(name, set()).add(key)
        if isinstance(n, ast.AugAssign) and isinstance(n.target, ast.Subscript) \
                and (name := dotted_name(n.target.value)) is not None:
            writes.setdefault(name, set()).add(ast.dump(n.target.slice))
    for name, wkeys in writes.items():
        if reads.get(name, set()) - wkeys:
            return name
    return None
