"""vectorize on loops over arrays reached through attributes (`self.x[i, j]`, `self.grid.u[i]`,
`model.w[k]`): each table case is rewritten into code that gives the loop's results on real data (the
return value and every array the object holds afterwards), or declined when the attribute may change
during the loop, may not be a plain attribute, or the loop carries a dependence through it."""

from __future__ import annotations

import copy
import inspect

import numpy as np
import pytest

from optadvise.model import ArrayInfo, Candidate, Profile
from optadvise.profiling.probes import attribute_values, describe
from optadvise.rewriters.base import Decline
from optadvise.rewriters.vectorize import Vectorize
from tests.rewriters.test_vectorize import finding, run, same

R = np.random.default_rng(11)


def f8(*shape: int) -> np.ndarray:
    return R.standard_normal(shape)


WEIGHTED_LOSS = """
import numpy as np
class Model:
    def __init__(self, x, y, w, coef):
        self.x, self.y, self.w, self.coef = x, y, w, coef
        self.bias = 0.1
    def loss(self):
        n, p = self.x.shape
        loss = 0.0
        wsum = 0.0
        for i in range(n):  # <-
            pred = self.bias
            for j in range(p):
                pred += self.x[i, j] * self.coef[j]
            r = self.y[i] - pred
            loss += self.w[i] * r * r
            wsum += self.w[i]
        return loss / wsum
"""

SCALE = """
import numpy as np
class Model:
    def __init__(self, src, dst):
        self.src, self.dst = src, dst
    def step(self):
        for i in range(1, len(self.src)):  # <-
            self.dst[i] = 0.5 * (self.src[i] + self.src[i - 1])
"""

MATVEC = """
import numpy as np
class Model:
    def __init__(self, a, x):
        self.a, self.x = a, x
        self.out = np.zeros(a.shape[0])
    def apply(self):
        for i in range(self.a.shape[0]):  # <-
{body}
        return self.out
"""

WINDOW = """
import numpy as np
class Filter:
    def __init__(self, signal, kernel):
        self.signal, self.kernel = signal, kernel
    def smooth(self):
        r = len(self.kernel) // 2
        n = len(self.signal)
        out = np.zeros(n)
        for i in range(r, n - r):  # <-
            s = 0.0
            for k in range(-r, r + 1):
                s += self.signal[i + k] * self.kernel[k + r]
            {target}[i] = s
        return out
"""

# name: (source, function of the loop, args of its class's constructor (of `Model` when the loop is in a
# function taking the object), a line the rewrite must contain)
REWRITE: dict[str, tuple[str, str, object, str]] = {
    "weighted_loss_method": (WEIGHTED_LOSS, "Model.loss",
                             lambda: (f8(40, 4), f8(40), f8(40), f8(4)), "self.x @ self.coef"),
    "elementwise_into_an_attribute": (SCALE, "Model.step", lambda: (f8(30), f8(30)),
                                      "np.may_share_memory(self.dst, self.src)"),
    "matvec_accumulated_into_an_attribute": (
        MATVEC.format(body="            for j in range(self.a.shape[1]):\n"
                           "                self.out[i] += self.a[i, j] * self.x[j]"),
        "Model.apply", lambda: (f8(7, 5), f8(5)), "+= self.a @ self.x"),
    "grid_of_a_nested_object": ("""
import numpy as np
class Grid:
    def __init__(self, u):
        self.u = u
class Solver:
    def __init__(self, u, h):
        self.grid = Grid(u)
        self.h = h
    def laplacian(self):
        n, m = self.grid.u.shape
        lap = np.zeros((n, m))
        for i in range(1, n - 1):  # <-
            for j in range(1, m - 1):
                lap[i, j] = (self.grid.u[i - 1, j] + self.grid.u[i + 1, j] + self.grid.u[i, j - 1]
                             + self.grid.u[i, j + 1] - 4.0 * self.grid.u[i, j]) / (self.h * self.h)
        return lap
""", "Solver.laplacian", lambda: (f8(9, 8), 0.5), "self.grid.u[:n - 2, 1:m - 1]"),
    "weights_of_a_model_argument": ("""
import math
import numpy as np
class Model:
    def __init__(self, w, b):
        self.w, self.b = w, b
def score(model):
    x = np.linspace(-1.0, 1.0, len(model.w))
    out = np.empty(len(x))
    for k in range(len(x)):  # <-
        out[k] = math.tanh(model.w[k] * x[k] + model.b[k])
    return out
""", "score", lambda: (f8(20), f8(20)), "np.tanh(model.w[:len(x)] * x"),
    "row_reduction_over_a_2d_attribute": ("""
import numpy as np
class Stats:
    def __init__(self, data):
        self.data = data
        self.means = np.zeros(data.shape[0])
    def row_means(self):
        rows, cols = self.data.shape
        for r in range(rows):  # <-
            s = 0.0
            for c in range(cols):
                s += self.data[r, c]
            self.means[r] = s / cols
""", "Stats.row_means", lambda: (f8(6, 9),), "self.means"),
    "window_over_attribute_arrays": (WINDOW.format(target="out"), "Filter.smooth", lambda: (f8(40), f8(5)),
                                     "s += self.signal[r + k:n - r + k] * self.kernel[k + r]"),
    "zip_over_attribute_arrays": ("""
import numpy as np
class Pair:
    def __init__(self, a, b):
        self.a, self.b = a, b
    def dot(self):
        s = 0.0
        for u, v in zip(self.a, self.b):  # <-
            s += u * v
        return s
""", "Pair.dot", lambda: (f8(15), f8(12)), "self.a[:min(len(self.a), len(self.b))]"),
    "rows_beside_a_whole_attribute_vector": (
        MATVEC.format(body="            self.out[i] = np.dot(self.a[i], self.x) - self.a[i, :].mean()"),
        "Model.apply", lambda: (f8(6, 4), f8(4)), "self.a @ self.x - np.mean(self.a, axis=-1)"),
    "length_taken_before_a_method_rebinds_the_attribute": ("""
import numpy as np
class Acc:
    def __init__(self, a):
        self.a = a
    def extend(self):
        self.a = np.concatenate([self.a, self.a])
    def total(self):
        n = len(self.a)
        self.extend()
        s = 0.0
        for i in range(n):  # <-
            s += self.a[i]
        return s
""", "Acc.total", lambda: (f8(12),), "np.sum(self.a[:n])"),
}

# name: (source, function of the loop, args of its class's constructor, the reason expected)
DECLINE: dict[str, tuple[str, str, object, str]] = {
    "attribute_assigned_in_the_loop": ("""
import numpy as np
class Model:
    def __init__(self, x):
        self.x = x
        self.total = 0.0
    def accumulate(self):
        for i in range(len(self.x)):  # <-
            self.total = self.total + self.x[i]
""", "Model.accumulate", lambda: (f8(10),), "assigns the attribute `self.total`"),
    "attribute_rebound_in_the_loop": ("""
import numpy as np
class Model:
    def __init__(self, x, y):
        self.x, self.y = x, y
    def swap(self):
        out = np.zeros(len(self.x))
        for i in range(len(self.x)):  # <-
            out[i] = self.x[i]
            self.x = self.y
        return out
""", "Model.swap", lambda: (f8(10), f8(10)), "assigns the attribute `self.x`"),
    "method_called_in_the_loop": ("""
import numpy as np
class Model:
    def __init__(self, x):
        self.x = x
        self.out = np.zeros(len(x))
    def scale(self, v):
        return 2.0 * v
    def apply(self):
        for i in range(len(self.x)):  # <-
            self.out[i] = self.scale(self.x[i])
""", "Model.apply", lambda: (f8(10),), "calls `self.scale`"),
    "function_given_the_object_called_in_the_loop": ("""
import numpy as np
def rebind(m):
    m.x = np.zeros(len(m.x))
    return 1.0
class Model:
    def __init__(self, x):
        self.x = x
        self.out = np.zeros(len(x))
    def apply(self):
        for i in range(len(self.x)):  # <-
            self.out[i] = self.x[i] * rebind(self)
""", "Model.apply", lambda: (f8(10),), "calls `rebind`"),
    "attribute_written_and_read_whole": ("""
import numpy as np
class Model:
    def __init__(self, a, x):
        self.a, self.x = a, x
    def apply(self):
        for i in range(self.a.shape[0]):  # <-
            self.x[i] = np.dot(self.a[i], self.x)
""", "Model.apply", lambda: (f8(4, 4), f8(4)), "`self.x` is written in the loop and read whole"),
    "in_place_stencil_through_an_attribute": ("""
import numpy as np
class Rod:
    def __init__(self, u):
        self.u = u
    def smooth(self):
        for i in range(1, len(self.u) - 1):  # <-
            self.u[i] = 0.5 * (self.u[i - 1] + self.u[i + 1])
""", "Rod.smooth", lambda: (f8(12),), "written by an earlier iteration"),
    "window_stencil_in_place_through_an_attribute": (WINDOW.format(target="self.signal"), "Filter.smooth",
                                                     lambda: (f8(40), f8(5)), "an in-place stencil"),
    "property_of_the_class": ("""
import numpy as np
class Model:
    def __init__(self, x):
        self._x = x
        self.out = np.zeros(len(x))
    @property
    def x(self):
        return self._x.copy()
    def apply(self):
        for i in range(len(self.out)):  # <-
            self.out[i] = 2.0 * self.x[i]
""", "Model.apply", lambda: (f8(10),), "defines `x` with a def"),
    "getattr_hook_of_a_base_class": ("""
import numpy as np
class Lazy:
    def __getattr__(self, name):
        return np.ones(10)
class Model(Lazy):
    def __init__(self, x):
        self.x = x
        self.out = np.zeros(len(x))
    def apply(self):
        for i in range(len(self.out)):  # <-
            self.out[i] = 2.0 * self.x[i]
""", "Model.apply", lambda: (f8(10),), "`Lazy` defines `__getattr__`"),
    "array_attribute_used_as_a_scalar": ("""
import numpy as np
class Model:
    def __init__(self, x, w):
        self.x, self.w = x, w
        self.out = np.zeros(len(x))
    def apply(self):
        for i in range(len(self.x)):  # <-
            self.out[i] = self.x[i] * self.w
""", "Model.apply", lambda: (f8(10), f8(10)), r"`self.x\[i\] \* self.w` is a whole row where one element is expected"),
    "list_attribute": ("""
import numpy as np
class Model:
    def __init__(self, x):
        self.x = [float(v) for v in x]
        self.out = np.zeros(len(x))
    def apply(self):
        for i in range(len(self.out)):  # <-
            self.out[i] = 2.0 * self.x[i]
""", "Model.apply", lambda: (np.arange(2000.0),), "`self.x` is a Python list"),
}


def built(src: str, function: str, args: tuple) -> tuple[dict[str, object], object, str]:
    """The case's namespace, the object the loop works on (built by the class of the method, or by
    `Model` for a function taking it) and the name the loop reaches it by."""
    ns: dict[str, object] = {"__name__": "__main__"}  # the script's classes, as the profiler sees them
    exec(compile(src, "<case>", "exec"), ns)
    owner, _, method = function.rpartition(".")
    obj = ns[owner or "Model"](*copy.deepcopy(args))  # type: ignore[operator]
    root = "self" if owner else next(iter(inspect.signature(ns[method]).parameters))  # type: ignore[arg-type]
    return ns, obj, root


def attribute_profile(src: str, function: str, args: tuple) -> Profile:
    """What the profiler records of the object in the loop's frame: its arrays, under dotted names."""
    _, obj, root = built(src, function, args)
    infos = [describe(v, np, k, function, "s.py", True) for k, v in attribute_values(root, obj)]
    return Profile(script="s.py", argv=[], cwd=".", arrays=[a for a in infos if isinstance(a, ArrayInfo)])


def propose(src: str, function: str, args: tuple) -> Candidate:
    return Vectorize().propose(src, finding(src, function), attribute_profile(src, function, args))[0]


def outcome(src: str, function: str, args: tuple) -> tuple[object, dict[str, object]]:
    """What the loop's function returns and the arrays its object holds after it."""
    ns, obj, _ = built(src, function, args)
    owner, _, method = function.rpartition(".")
    result = getattr(obj, method)() if owner else ns[method](obj)  # type: ignore[operator]
    return result, {k: v for k, v in attribute_values("obj", obj) if isinstance(v, np.ndarray)}


@pytest.mark.parametrize("name", sorted(REWRITE))
def test_attribute_loops_are_rewritten_to_the_same_results(name: str) -> None:
    src, function, make_args, expect = REWRITE[name]
    args = make_args()  # type: ignore[operator]
    c = propose(src, function, args)
    assert expect in c.new and "# <-" not in c.new.split("else:")[0], c.new
    (r1, held1), (r2, held2) = outcome(src, function, args), outcome(c.new, function, args)
    assert same(r1, r2, c.rtol), f"{r1!r} != {r2!r}\n{c.new}"
    assert held1.keys() == held2.keys()
    for k in held1:
        assert same(held1[k], held2[k], c.rtol), f"{k}: {held1[k]!r} != {held2[k]!r}\n{c.new}"


@pytest.mark.parametrize("name", sorted(DECLINE))
def test_attribute_loops_that_may_change_are_declined(name: str) -> None:
    src, function, make_args, reason = DECLINE[name]
    with pytest.raises(Decline, match=reason):
        propose(src, function, make_args())  # type: ignore[operator]


def test_two_attributes_bound_to_one_array_take_the_original_loop() -> None:
    c = propose(SCALE, "Model.step", (f8(30), f8(30)))
    shared, view = f8(30), f8(31)
    # one array twice: each step reads what the one before wrote; then overlapping views of one buffer
    for args in ((shared, shared), (view[1:], view[:-1])):
        (_, before), (_, after) = outcome(SCALE, "Model.step", args), outcome(c.new, "Model.step", args)
        assert "may_share_memory" in c.new and np.array_equal(before["obj.dst"], after["obj.dst"])


def test_the_aliasing_check_stays_inside_a_time_loop_that_rebinds_the_attribute() -> None:
    src = """
import numpy as np
class State:
    pass
state = State()
state.u = np.linspace(0.0, 1.0, 20) ** 2
state.v = np.zeros(20)
for t in range(3):
    for i in range(1, 19):  # <-
        state.v[i] = 0.5 * (state.u[i - 1] + state.u[i + 1])
    state.u = state.v
result = state.u
"""
    prof = Profile(script="s.py", argv=[], cwd=".", arrays=[
        describe(np.zeros(20), np, name, "<module>", "s.py", False) for name in ("state.u", "state.v")])
    c = Vectorize().propose(src, finding(src, "<module>"), prof)[0]
    assert "    if not np.may_share_memory(state.u, state.v):" in c.new, c.new  # checked every time step
    assert np.array_equal(run(src, None)[0], run(c.new, None)[0])  # from the second step u is v


ALLOCATED = """
import numpy as np
class Model:
    def __init__(self, n):
        self.a = np.linspace(0.0, 1.0, n)
        self.out = np.zeros(n)
    def apply(self):
        for i in range(len(self.a)):  # <-
            self.out[i] = self.a[i] * self.a[i]
"""


def test_static_allocations_in_the_class_need_no_profile() -> None:
    c = Vectorize().propose(ALLOCATED, finding(ALLOCATED, "Model.apply"), None)[0]
    assert "self.out[:len(self.a)] = self.a * self.a" in c.new, c.new
    (_, held1), (_, held2) = outcome(ALLOCATED, "Model.apply", (25,)), outcome(c.new, "Model.apply", (25,))
    assert np.array_equal(held1["obj.out"], held2["obj.out"])


def test_an_attribute_set_from_outside_the_class_has_no_static_facts() -> None:
    src = ALLOCATED + "m = Model(5)\nm.a = [1.0, 2.0, 3.0, 4.0, 5.0]\n"
    with pytest.raises(Decline, match="`self.a` is unknown"):
        Vectorize().propose(src, finding(src, "Model.apply"), None)
