"""vectorize rewriter: every loop shape in `loop_cases` is either rewritten into code that gives the same
results (return values and mutated arguments) as the loop, or declined when it must be."""

from __future__ import annotations

import copy
import glob
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from optadvise.model import ArrayInfo, Candidate, Finding, Profile
from optadvise.rewriters.base import Decline
from optadvise.rewriters.vectorize import Vectorize
from tests.rewriters.loop_cases import CASES


def loop_line(src: str) -> int:
    return next(i for i, s in enumerate(src.splitlines(), 1) if "# <-" in s)


def finding(src: str, function: str, rule: str = "loop-over-ndarray") -> Finding:
    line = loop_line(src)
    return Finding(rule=rule, code="OA101", filename="s.py", lineno=line, end_lineno=line, function=function,
                   message="", fixes=["vectorize", "numba"])


def profile_of(function: str, named: dict[str, object], argnames: set[str]) -> Profile:
    """What the profiler would record: the arrays alive in the frame (arguments flagged)."""
    arrays = [ArrayInfo(name=k, function=function, filename="s.py", kind="ndarray", shape=tuple(v.shape),
                        dtype=str(v.dtype), is_argument=k in argnames)
              for k, v in named.items() if isinstance(v, np.ndarray)]
    arrays += [ArrayInfo(name=k, function=function, filename="s.py", kind="list", is_argument=k in argnames)
               for k, v in named.items() if isinstance(v, list)]
    return Profile(script="s.py", argv=[], cwd=".", arrays=arrays)


def run(src: str, args: tuple | None) -> tuple[object, tuple]:
    ns: dict[str, object] = {"__name__": "__case__"}
    exec(compile(src, "<case>", "exec"), ns)
    if args is None:
        return ns["result"], ()
    args = copy.deepcopy(args)
    with np.errstate(all="ignore"):
        return ns["f"](*args), args


def same(x: object, y: object, rtol: float) -> bool:
    if isinstance(x, (tuple, list)):
        return type(x) is type(y) and len(x) == len(y) and all(  # type: ignore[arg-type]
            same(a, b, rtol) and type(a) is type(b) for a, b in zip(x, y))  # type: ignore[arg-type]
    if isinstance(x, np.ndarray):
        return isinstance(y, np.ndarray) and x.shape == y.shape and x.dtype == y.dtype and \
            np.allclose(x, y, rtol=rtol, atol=0, equal_nan=True)
    if x is None:
        return y is None
    return bool(np.isclose(x, y, rtol=rtol, atol=1e-300, equal_nan=True)) and str(x) == str(y) or \
        bool(np.isclose(x, y, rtol=rtol, atol=0)) and scalar_kind(x) == scalar_kind(y)


def scalar_kind(x: object) -> object:
    """np.float64 subclasses float (prints alike; the verifier compares the printed output): one kind."""
    return float if isinstance(x, float) else type(x)


def propose(src: str, args: tuple | None) -> list[Candidate]:
    if args is None:
        ns: dict[str, object] = {"__name__": "__case__"}
        exec(compile(src, "<case>", "exec"), ns)
        prof, fn = profile_of("<module>", ns, set()), "<module>"
    else:
        import inspect
        ns = {}
        exec(compile(src, "<case>", "exec"), ns)
        names = list(inspect.signature(ns["f"]).parameters)
        prof, fn = profile_of("f", dict(zip(names, args)), set(names)), "f"
    return Vectorize().propose(src, finding(src, fn), prof)


def check_equivalent(src: str, make_args) -> Candidate:  # type: ignore[no-untyped-def]
    args = make_args() if make_args else None
    cands = propose(src, args)
    assert cands, "no candidate"
    c = cands[0]
    compile(c.new, "<candidate>", "exec")
    assert c.original == src and c.new != src
    r1, a1 = run(src, args)
    r2, a2 = run(c.new, args)
    assert same(r1, r2, c.rtol), f"results differ:\n{r1!r}\n{r2!r}\n{c.new}"
    for x, y in zip(a1, a2):
        assert same(x, y, c.rtol), f"mutated argument differs:\n{x!r}\n{y!r}\n{c.new}"
    return c


@pytest.mark.parametrize("name", [k for k, v in CASES.items() if v[0] == "ok"])
def test_rewritten_loops_give_the_same_results(name: str) -> None:
    _, src, make_args = CASES[name]
    check_equivalent(src, make_args)


@pytest.mark.parametrize("name", [k for k, v in CASES.items() if v[0] == "no"])
def test_unsafe_loops_are_declined(name: str) -> None:
    _, src, make_args = CASES[name]
    with pytest.raises(Decline):
        propose(src, make_args() if make_args else None)


def test_without_any_facts_a_parameter_loop_is_declined() -> None:
    src = CASES["map_mul"][1]
    with pytest.raises(Decline, match="unknown"):
        Vectorize().propose(src, finding(src, "f"), None)


def test_statically_allocated_arrays_need_no_profile() -> None:
    src = CASES["module_map"][1]
    c = Vectorize().propose(src, finding(src, "<module>"), None)[0]
    assert "for k" not in c.new and same(run(src, None)[0], run(c.new, None)[0], c.rtol)


def test_comments_outside_the_loop_survive_and_numpy_alias_is_reused() -> None:
    src = "import numpy as xp\n# header\ndef f(a):\n    out = xp.empty_like(a)  # keep me\n" \
          "    for i in range(len(a)):  # <-\n        out[i] = abs(a[i])\n    return out\n"
    c = propose(src, (f8(),))[0]
    assert "# header" in c.new and "# keep me" in c.new and "xp.abs(a)" in c.new and "import numpy\n" not in c.new


def f8(n: int = 7) -> np.ndarray:
    return np.random.default_rng(3).standard_normal(n)


# the shared corpus sits beside the checkout (`../shared/corpus`), in development and in CI
CORPUS = str(Path(__file__).resolve().parents[3] / "shared" / "corpus" / "cases")
LOOP_CASES = {"p01": "multiply", "p02": "estimate_pi", "p06": "<module>", "p07": "adjust",
              "p08": "<module>", "p10": "final_states", "p11": "relax"}


@pytest.mark.slow
@pytest.mark.skipif(not os.path.isdir(CORPUS), reason="corpus not present")
@pytest.mark.parametrize("case", sorted(LOOP_CASES))
def test_corpus_loop_cases(case: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Shrunk copies of the corpus loop scripts: the candidate prints the same numbers as the loop."""
    path = glob.glob(f"{CORPUS}/{case}_*/slow.py")[0]
    src = re.sub(r"\b(\d)_?(\d{3})_(\d{3})\b|\b(\d+)_000\b", "300", open(path).read())
    src = src.replace("2500", "60").replace("20000", "300").replace("1000)", "40)")
    fn = LOOP_CASES[case]
    first_loop = next(i for i, s in enumerate(src.splitlines(), 1) if re.match(r"\s*for .*:\s*$", s))
    fnd = Finding(rule="loop-over-ndarray", code="OA101", filename="slow.py", lineno=first_loop,
                  end_lineno=first_loop, function=fn, message="", fixes=["vectorize"])
    prof = observed_profile(src, fn, tmp_path)
    c = Vectorize().propose(src, fnd, prof)[0]
    outs = []
    for code in (src, c.new):
        p = tmp_path / "s.py"
        p.write_text(code)
        r = subprocess.run([sys.executable, str(p)], cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        outs.append([float(x) for x in re.findall(r"[-+]?\d+\.\d+(?:e[-+]\d+)?", r.stdout)])
    assert outs[0] and np.allclose(outs[0], outs[1], rtol=max(c.rtol, 1e-7), atol=0), (outs, c.new)


def observed_profile(src: str, function: str, tmp_path) -> Profile:  # type: ignore[no-untyped-def]
    """Run the script with a tracer noting the arrays passed to `function` (what the profiler records)."""
    if function == "<module>":
        return Profile(script="s.py", argv=[], cwd=".")
    import inspect
    seen: dict[str, object] = {}
    ns: dict[str, object] = {"__name__": "__main__"}

    def tracer(frame, event, arg):  # type: ignore[no-untyped-def]
        if event == "call" and frame.f_code.co_name == function and not seen:
            seen.update(frame.f_locals)
        return None

    sys.setprofile(tracer)
    try:
        import contextlib
        import io
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(src, "<corpus>", "exec"), ns)
    finally:
        sys.setprofile(None)
    names = set(inspect.signature(ns[function]).parameters)  # type: ignore[arg-type]
    return profile_of(function, seen, names)
