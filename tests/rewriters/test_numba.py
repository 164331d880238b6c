"""numba rewriter: real nopython compiles of small recurrences (few, tiny), and the declines."""

from __future__ import annotations

import importlib.util
import textwrap

import numpy as np
import pytest

from optadvise.model import ArrayInfo, Finding, Profile
from optadvise.rewriters.base import Decline
from optadvise.rewriters.numba_jit import NumbaJit
from optadvise.rewriters.vectorize import Vectorize

LOGISTIC = textwrap.dedent("""
    import numpy as np


    def final_states(rates, steps):
        out = np.empty_like(rates)
        for k in range(rates.shape[0]):  # <-
            x = 0.5
            r = rates[k]
            for _ in range(steps):
                x = r * x * (1.0 - x)
            out[k] = x
        return out


    if __name__ == "__main__":
        print(final_states(np.linspace(2.5, 4.0, 50), 30).sum())
""")

PREFIX = textwrap.dedent("""
    import numpy as np


    def scale(v, r):
        return v * r


    def running(a, r):
        b = a.copy()
        for i in range(1, b.shape[0]):  # <-
            b[i] = scale(b[i - 1], r) + b[i]
        return b
""")


def finding(src: str, function: str) -> Finding:
    line = next(i for i, s in enumerate(src.splitlines(), 1) if "# <-" in s)
    return Finding(rule="loop-over-ndarray", code="OA101", filename="s.py", lineno=line, end_lineno=line,
                   function=function, message="", fixes=["vectorize", "numba"])


def prof(function: str, **arrays: np.ndarray) -> Profile:
    return Profile(script="s.py", argv=[], cwd=".", arrays=[
        ArrayInfo(name=k, function=function, filename="s.py", kind="ndarray", shape=v.shape, dtype=str(v.dtype),
                  is_argument=True) for k, v in arrays.items()])


def load(code: str, tmp_path, name: str):  # type: ignore[no-untyped-def]
    path = tmp_path / f"{name}.py"
    path.write_text(code)
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod


def test_logistic_map_gets_serial_and_prange_candidates_that_match(tmp_path) -> None:  # type: ignore[no-untyped-def]
    rates = np.linspace(2.5, 4.0, 12)
    cands = NumbaJit().propose(LOGISTIC, finding(LOGISTIC, "final_states"), prof("final_states", rates=rates))
    assert [("parallel=True" in c.new, "prange" in c.new) for c in cands] == [(False, False), (True, True)]
    serial = cands[0]
    assert "@numba.njit(cache=True)\ndef final_states" in serial.new and "import numba" in serial.new
    compile(cands[1].new, "<c>", "exec")
    jitted = load(serial.new, tmp_path, "logistic_jit")
    plain = load(LOGISTIC, tmp_path, "logistic_py")
    assert np.allclose(jitted.final_states(rates, 25), plain.final_states(rates, 25), rtol=serial.rtol, atol=0)


def test_recurrence_declined_by_vectorize_is_compiled_with_its_callee(tmp_path) -> None:  # type: ignore[no-untyped-def]
    a = np.random.default_rng(0).standard_normal(9)
    f = finding(PREFIX, "running")
    with pytest.raises(Decline):
        Vectorize().propose(PREFIX, f, prof("running", a=a))
    # the call site's literal tells the scalar parameter's type
    (c,) = NumbaJit().propose(PREFIX + "\nrunning(np.zeros(3), 0.5)\n", f, prof("running", a=a))
    assert c.new.count("@numba.njit(cache=True)") == 2  # running and its callee scale
    mod = load(c.new, tmp_path, "prefix_jit")
    ref = load(PREFIX, tmp_path, "prefix_py")
    assert np.allclose(mod.running(a, 0.5), ref.running(a, 0.5), rtol=c.rtol, atol=0)


def test_typing_failure_declines_with_numbas_reason() -> None:
    src = textwrap.dedent("""
        import numpy as np
        def f(a):
            s = 0.0
            for i in range(a.shape[0]):  # <-
                s += a[i] + np.pad(a, 1)[0]
            return s
    """)
    with pytest.raises(Decline, match="numba cannot compile"):
        NumbaJit().propose(src, finding(src, "f"), prof("f", a=np.zeros(3)))


@pytest.mark.parametrize("src,fn,why", [
    ("def g(a):\n    def h(v):\n        return v\n    f = h\n    for i in range(3):  # <-\n        a[i] = f(a[i])\n",
     "g", "used as a value"),
    ("def g(a):\n    def h(v, c=2.0):\n        return v * c\n    for i in range(3):  # <-\n        a[i] = h(a[i])\n",
     "g", "has default values"),
    ("def g(a):\n    def h(v):\n        return h(v - 1) if v > 0 else v\n    for i in range(3):  # <-\n"
     "        a[i] = h(a[i])\n", "g", "recursive"),
    ("class C:\n    def m(self, a):\n        for i in range(3):  # <-\n            a[i] = 1\n", "C.m", "method"),
    ("class C:\n    def m(self):\n        for i in range(3):  # <-\n            self.a[i] = self.b[i]\n", "C.m",
     "a method of `C`: numba compiles plain functions"),
    ("def g(a):\n    def h(a):\n        for i in range(3):  # <-\n            a[i] = 1\n    h(a)\n", "g.h",
     "`h` is a nested function"),
    ("def g(a):\n    for i in range(3):  # <-\n        yield a[i]\n", "g", "Yield"),
    ("def g(a):\n    for i in range(3):  # <-\n        print(f'{a[i]}')\n", "g", "FormattedString"),
    ("import numpy as np\ndef g(n):\n    rng = np.random.default_rng(0)\n    for i in range(n):  # <-\n"
     "        x = rng.random()\n", "g", "default_rng"),
    ("import numba\n@numba.njit\ndef g(a):\n    for i in range(3):  # <-\n        a[i] = 1\n", "g", "decorated"),
    ("def g(*a):\n    for i in range(3):  # <-\n        pass\n", "g", r"\*args"),
])
def test_declines_without_compiling(src: str, fn: str, why: str) -> None:
    with pytest.raises(Decline, match=why):
        NumbaJit().propose(src, finding(src, fn), None)


HELPERS = textwrap.dedent("""
    import numpy as np


    def clip(v, lo=0.0, hi=1.0):
        return min(max(v, lo), hi)


    def logistic(x, r):
        return clip(r * x * (1.0 - x))


    def orbit_ends(rates, steps):
        def step(x, r):
            return logistic(x, r) * 0.999 + 0.0005

        out = np.empty_like(rates)
        for k in range(rates.shape[0]):  # <-
            x = 0.5
            for _ in range(steps):
                x = step(x, rates[k])
            out[k] = x
        return out


    orbit_ends(np.zeros(2), 3)
""")


def test_nested_def_and_helpers_calling_helpers_with_defaults_are_compiled(tmp_path) -> None:  # type: ignore[no-untyped-def]
    rates = np.linspace(2.5, 4.0, 12)
    cands = NumbaJit().propose(HELPERS, finding(HELPERS, "orbit_ends"), prof("orbit_ends", rates=rates))
    serial = cands[0]
    assert "compiled in nopython mode" in serial.note  # the call site types `steps`: compile-checked
    assert serial.new.count("@numba.njit(cache=True)") == 3  # orbit_ends, logistic, clip; not the nested step
    jitted = load(serial.new, tmp_path, "helpers_jit")
    plain = load(HELPERS, tmp_path, "helpers_py")
    assert np.allclose(jitted.orbit_ends(rates, 40), plain.orbit_ends(rates, 40), rtol=1e-12, atol=0)


def test_helper_reading_a_module_array_is_declined() -> None:
    src = textwrap.dedent("""
        import numpy as np
        weights = np.linspace(0.0, 1.0, 8)


        def weigh(v, i):
            return v * weights[i]


        def apply(a):
            for i in range(a.shape[0]):  # <-
                a[i] = weigh(a[i], i)
            return a
    """)
    with pytest.raises(Decline, match="module variable `weights`"):
        NumbaJit().propose(src, finding(src, "apply"), prof("apply", a=np.zeros(8)))
