"""Child side of the function-level check: `python -m optadvise.verify.function_harness SPEC.json`.

SPEC is a `FunctionSpec`: the original script (+ argv), the candidate file, the module-level function,
the tolerance and where to write the `FunctionResult`. The original script runs as `__main__` with one
statement added after the function's `def`: the global is wrapped. On its first `CALLS` calls the
wrapper deep-copies the real arguments, calls the candidate function (its `def`, and the candidate
file's imports and new/changed module-level functions, exec'd into a copy of the module's globals) on
a copy, then the original (the script carries on with its real result), with NumPy's and `random`'s
global streams rewound so both see the same random numbers, and compares return values, arguments
after the call (in-place updates) and exception types. Then it does the same on generated inputs:
every array argument replaced by random values of the same shape and dtype within the observed range
(`SEEDS`; only the first where the arguments are big or the real call slow, since each costs a call
of the original: `BIG_INPUT_BYTES`, `SLOW_CALL_S`).

Kernel timing: on each checked real input, original and candidate are then called in alternation on
fresh deep copies (all kept alive, so nothing can be memoised on argument identity; RNG streams
rewound before every call; every candidate result compared again), at least `MIN_ROUNDS` times each
unless the original alone outlasts `BUDGET_S` (then once more; not again at all when the candidate's
first call already beat that slow real call `CLEAR` times over); the candidate `FEW_ROUNDS` times
where it is that clearly faster or its own calls outlast `BUDGET_S`, and no more on an input once
most of the calls it would get lost to the original's fastest. The candidate's first call, made
before the original's so that it bears every first-call cost they share (imports, caches), is its
warm-up (a JIT compiles there; with the time its imports took to load, that is `compile_s`, paid
once per run), so a candidate fast only on its first call gains nothing. Figures are medians per input;
`KernelTiming.significant` holds only when the candidate's medians, summed over the inputs, beat the
sum of the original's *fastest* calls (a rewrite faster on the real data but not on a tiny first
call, a self-check, still counts as faster: the time is where the data is). Every call of the
function in the run is counted and timed (`calls`, `total_original_s`), which scales the kernel
figures to the whole script.
"""

from __future__ import annotations

import ast
import copy
import functools
import inspect
import os
import random
import statistics
import sys
import time
import types
from collections.abc import Callable
from typing import Any

from optadvise.model import KernelTiming
from optadvise.verify.compare import compare_values
from optadvise.verify.messages import FunctionResult, FunctionSpec, read_message, write_message

CALLS = 2  # real calls checked
SEEDS = (1, 2)  # generated inputs
CAPTURE_CAP = 256 << 20  # bytes of array data we are prepared to copy
GENERATE_CAP_S = 10.0  # skip generated inputs when one real call takes longer than this
BIG_INPUT_BYTES = 32 * 2**20  # one generated input (not two) for arguments holding more array bytes
SLOW_CALL_S = 1.0  # ... or for a real call slower than this: each generated input costs one more call
MIN_ROUNDS = 5  # timed calls of each side per input (the original: fewer when it outlasts BUDGET_S)
MAX_ROUNDS = 50  # timed calls of the candidate per input, at most
BUDGET_S = 1.0  # seconds of timing per input beyond the minimum rounds
CLEAR = 2.0  # a candidate whose first call is this much faster than a slow original's real call
FEW_ROUNDS = 3  # timed calls of such a candidate, or of one whose calls alone outlast BUDGET_S


_MISSING = object()


class Skip(Exception):
    """The check cannot apply; the message says why."""


def _module_stmts(body: list[ast.stmt]) -> list[tuple[list[ast.stmt], int, ast.stmt]]:
    """(containing list, index, stmt) for statements at module level, looking inside if/try/with."""
    out = []
    for i, st in enumerate(body):
        out.append((body, i, st))
        for name in ("body", "orelse", "finalbody"):
            sub = getattr(st, name, None)
            if isinstance(st, (ast.If, ast.Try, ast.With, ast.For, ast.While)) and isinstance(sub, list):
                out.extend(_module_stmts(sub))
        for h in getattr(st, "handlers", []) or []:
            out.extend(_module_stmts(h.body))
    return out


def _defs(tree: ast.Module, name: str) -> list[tuple[list[ast.stmt], int, ast.stmt]]:
    return [t for t in _module_stmts(tree.body)
            if isinstance(t[2], (ast.FunctionDef, ast.AsyncFunctionDef)) and t[2].name == name]


def _array_bytes(obj: Any, seen: set[int] | None = None, depth: int = 0) -> int:
    seen = set() if seen is None else seen
    if id(obj) in seen or depth > 6:
        return 0
    seen.add(id(obj))
    nbytes = getattr(obj, "nbytes", None)
    if isinstance(nbytes, int):
        return nbytes
    if isinstance(obj, (list, tuple, set, frozenset)):
        return sum(_array_bytes(x, seen, depth + 1) for x in list(obj)[:10_000])
    if isinstance(obj, dict):
        return sum(_array_bytes(x, seen, depth + 1) for x in list(obj.values())[:10_000])
    attrs = getattr(obj, "__dict__", None)  # instances, namespaces, dataclasses holding arrays
    if isinstance(attrs, dict):
        return _array_bytes(attrs, seen, depth + 1)
    slots = getattr(type(obj), "__slots__", ())
    if slots:
        return sum(_array_bytes(getattr(obj, n, None), seen, depth + 1)
                   for n in ([slots] if isinstance(slots, str) else slots))
    return 0


def _rng_state() -> tuple[Any, Any]:
    np = sys.modules.get("numpy")
    return random.getstate(), (np.random.get_state() if np is not None else None)


def _set_rng(state: tuple[Any, Any]) -> None:
    random.setstate(state[0])
    np = sys.modules.get("numpy")
    if np is not None and state[1] is not None:
        np.random.set_state(state[1])


def _generate(value: Any, rng: Any) -> tuple[Any, int]:
    """`value` with every numeric array replaced by random data of its shape/dtype/range; count."""
    import numpy as np

    if isinstance(value, np.ndarray) and value.dtype.kind in "fiubc" and value.size:
        kind = value.dtype.kind
        if kind == "b":
            return rng.random(value.shape) < 0.5, 1
        real = value.real if kind == "c" else value
        finite = real[np.isfinite(real)] if kind in "fc" else real
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        if kind in "iu":
            new = rng.integers(int(lo), int(hi) + 1, size=value.shape)
        else:
            new = rng.uniform(lo, hi if hi > lo else lo + 1.0, size=value.shape)
            if kind == "c":
                new = new + 1j * rng.uniform(lo, hi if hi > lo else lo + 1.0, size=value.shape)
        return new.astype(value.dtype), 1
    if isinstance(value, (list, tuple)) and not hasattr(value, "_fields"):
        parts = [_generate(v, rng) for v in value]
        return type(value)(p[0] for p in parts), sum(p[1] for p in parts)
    if isinstance(value, dict):
        entries = {k: _generate(v, rng) for k, v in value.items()}
        return {k: e[0] for k, e in entries.items()}, sum(e[1] for e in entries.values())
    return copy.deepcopy(value), 0


class Checker:
    """Holds the candidate function and the running verdict; `wrap` makes the global's stand-in."""

    def __init__(self, spec: FunctionSpec, cand_tree: ast.Module, orig_tree: ast.Module):
        self.spec = spec
        self.cand_tree = cand_tree
        self.orig_tree = orig_tree
        self.name = spec.function
        self.rtol = spec.rtol
        self.atol = spec.atol
        self.calls = 0
        self.inputs = 0
        self.max_rel = 0.0
        self.mismatch: str | None = None
        self.skip: str | None = None
        self.notes: list[str] = []
        self.active = False
        self.candidate: Callable[..., Any] | None = None
        self.swap: tuple[dict[str, Any], dict[str, Any]] = ({}, {})
        self.timing = spec.timing
        self.total_calls = 0
        self.total_s = 0.0
        self.per_input: list[tuple[float, float, float, float]] = []  # orig median, orig min, cand median, compile
        self.rounds = 0
        self.load_s = 0.0  # loading the candidate: the imports it adds

    def build_candidate(self, glb: dict[str, Any]) -> Callable[..., Any]:
        """Compile the candidate's def (plus its imports and new/changed helpers) into a copy of `glb`."""
        orig_src = {st.name: ast.dump(st) for _, _, st in _module_stmts(self.orig_tree.body)
                    if isinstance(st, (ast.FunctionDef, ast.ClassDef))}
        body: list[ast.stmt] = []
        for _, _, st in _module_stmts(self.cand_tree.body):
            if isinstance(st, (ast.Import, ast.ImportFrom)) and not (
                    isinstance(st, ast.ImportFrom) and st.module == "__future__"):
                body.append(st)
            elif isinstance(st, (ast.FunctionDef, ast.ClassDef)) and (
                    st.name == self.name or orig_src.get(st.name) != ast.dump(st)):
                body.append(st)
        ns = dict(glb)
        code = compile(ast.Module(body=body, type_ignores=[]), self.spec.candidate, "exec")
        exec(code, ns)  # noqa: S102 - the candidate under test, in the child only
        fn = ns.get(self.name)
        if not callable(fn):
            raise Skip(f"the candidate defines no function {self.name}")
        defined = [st.name for st in body if isinstance(st, (ast.FunctionDef, ast.ClassDef))]
        self.swap = (glb, {n: ns[n] for n in defined if n in ns})
        return fn

    def _call_candidate(self, args: tuple, kwargs: dict) -> tuple[Any, BaseException | None]:
        """Call the candidate with its functions/classes standing in `__main__` for the duration, so
        that pickling them by reference (process pools) finds these very objects."""
        glb, names = self.swap
        saved = {n: glb.get(n, _MISSING) for n in names}
        glb.update(names)
        try:
            return self._call(self.candidate, args, kwargs)  # type: ignore[arg-type]
        finally:
            for n, v in saved.items():
                if v is _MISSING:
                    glb.pop(n, None)
                else:
                    glb[n] = v

    def wrap(self, original: Callable[..., Any]) -> Callable[..., Any]:
        if not inspect.isfunction(original):
            self.skip = f"{self.name} is not a plain function"
            return original
        if inspect.isgeneratorfunction(original) or inspect.iscoroutinefunction(original) \
                or inspect.isasyncgenfunction(original):
            self.skip = f"{self.name} is a generator or coroutine function"
            return original

        @functools.wraps(original)
        def stand_in(*args: Any, **kwargs: Any) -> Any:
            if self.active:
                return original(*args, **kwargs)
            self.active = True
            self.total_calls += 1
            try:
                if self.mismatch or self.skip or self.calls >= CALLS:
                    t0 = time.perf_counter()
                    try:
                        return original(*args, **kwargs)
                    finally:
                        self.total_s += time.perf_counter() - t0
                return self._checked_call(original, args, kwargs)  # adds the original's own time
            finally:
                self.active = False

        return stand_in

    def _call(self, fn: Callable[..., Any], args: tuple, kwargs: dict) -> tuple[Any, BaseException | None]:
        try:
            return fn(*args, **kwargs), None
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as e:  # noqa: BLE001 - compared, then re-raised for the original
            return None, e

    def _compare(self, label: str, out: Any, exc: BaseException | None, args_after: Any,
                 c_out: Any, c_exc: BaseException | None, c_args_after: Any, strict_exc: bool) -> None:
        if exc is not None or c_exc is not None:
            if exc is None:
                self.mismatch = f"raises {type(c_exc).__name__}: {c_exc} {label} (the original returns)"
            elif c_exc is None:
                self.mismatch = f"returns where the original raises {type(exc).__name__} {label}"
            elif strict_exc and type(exc) is not type(c_exc):
                self.mismatch = f"raises {type(c_exc).__name__} where the original raises {type(exc).__name__} {label}"
            return
        checks = [(compare_values(out, c_out, self.rtol, self.atol, "return value"), "")]
        (args, kwargs), (c_args, c_kwargs) = args_after, c_args_after
        checks += [(compare_values(a, b, self.rtol, self.atol, f"argument {i + 1}"),
                    " after the call (in-place update)") for i, (a, b) in enumerate(zip(args, c_args))]
        checks += [(compare_values(kwargs[k], c_kwargs.get(k), self.rtol, self.atol, f"argument {k}"),
                    " after the call (in-place update)") for k in kwargs]
        for d, what in checks:
            self.max_rel = max(self.max_rel, d.max_rel_diff if d.max_rel_diff != float("inf") else 0.0)
            if not d.ok:
                self.mismatch = f"{d.reason}{what} {label}"
                return

    def _checked_call(self, original: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
        size = _array_bytes((args, kwargs))
        if size > CAPTURE_CAP:
            self.skip = f"arguments hold {size / 2**20:.0f} MB of arrays (capture limit {CAPTURE_CAP >> 20} MB)"
            return original(*args, **kwargs)
        try:
            pristine = copy.deepcopy((args, kwargs))
            for_cand = copy.deepcopy(pristine)
        except Exception as e:  # noqa: BLE001 - uncopyable arguments
            self.skip = f"cannot copy the arguments ({type(e).__name__}: {e})"
            return original(*args, **kwargs)
        if self.candidate is None:
            t0 = time.perf_counter()
            try:
                self.candidate = self.build_candidate(original.__globals__)
            except Skip as e:
                self.skip = str(e)
                return original(*args, **kwargs)
            except Exception as e:  # noqa: BLE001
                self.mismatch = f"the candidate does not load: {type(e).__name__}: {e}"
                return original(*args, **kwargs)
            self.load_s = time.perf_counter() - t0  # importing what the candidate adds (numba)
        self.calls += 1
        before = _rng_state()
        t0 = time.perf_counter()  # the candidate first: its warm-up bears every first-call cost they share
        c_out, c_exc = self._call_candidate(*for_cand)
        c_took = time.perf_counter() - t0
        _set_rng(before)
        t0 = time.perf_counter()
        out, exc = self._call(original, args, kwargs)
        took = time.perf_counter() - t0
        self.total_s += took
        after = _rng_state()
        self.inputs += 1
        label = f"on the script's real arguments (call {self.calls})"
        self._compare(label, out, exc, (args, kwargs), c_out, c_exc, for_cand, strict_exc=True)
        if not self.mismatch and exc is None and self.timing:
            self._time(original, pristine, before, (out, args, kwargs), took, c_took, label)
            _set_rng(after)
        if not self.mismatch and exc is None and self.calls == 1:
            if took > GENERATE_CAP_S:
                self.notes.append(f"generated inputs skipped: one call takes {took:.1f} s")
            else:
                costly = took > SLOW_CALL_S or _array_bytes(pristine) > BIG_INPUT_BYTES
                self._generated(original, pristine, SEEDS[:1] if costly else SEEDS)
            _set_rng(after)
        if exc is not None:
            raise exc
        return out

    def _time(self, original: Callable[..., Any], pristine: tuple, rng: tuple[Any, Any],
              expected: tuple[Any, tuple, dict], took: float, c_took: float, label: str) -> None:
        """Interleaved timing of original and candidate on copies of one real input (module docstring)."""
        orig_times: list[float] = [took]
        cand_times: list[float] = []
        keep: list[Any] = []  # every copy stays alive: no two calls see the same argument objects
        deadline = time.perf_counter() + BUDGET_S
        out, args, kwargs = expected
        # a slow original that even the candidate's cold first call beats CLEAR times over: its real
        # call is its one timed call
        clear = took > BUDGET_S and CLEAR * c_took <= took
        rounds = 1 if clear else MIN_ROUNDS
        while len(cand_times) < MAX_ROUNDS:
            now = time.perf_counter()
            few = clear or sum(cand_times) >= BUDGET_S  # the candidate's own calls are costly
            need = FEW_ROUNDS if few else MIN_ROUNDS
            orig_done = len(orig_times) >= rounds or (len(orig_times) >= 2 and now >= deadline)
            if len(cand_times) >= need and orig_done:
                break
            if orig_done and 2 * sum(c >= min(orig_times) for c in cand_times) > need:
                break  # most of its timed calls lost to the original's fastest: enough of this input
            if len(orig_times) < rounds and (len(orig_times) < 2 or now < deadline):
                a, k = copy.deepcopy(pristine)
                keep.append((a, k))
                _set_rng(rng)
                t0 = time.perf_counter()
                self._call(original, a, k)
                orig_times.append(time.perf_counter() - t0)
            c_args = copy.deepcopy(pristine)
            keep.append(c_args)
            _set_rng(rng)
            t0 = time.perf_counter()
            c_out, c_exc = self._call_candidate(*c_args)
            cand_times.append(time.perf_counter() - t0)
            self._compare(f"{label}, timed call {len(cand_times) + 1}", out, None, (args, kwargs),
                          c_out, c_exc, c_args, strict_exc=True)
            if self.mismatch:
                return
        c_med = statistics.median(cand_times)
        self.per_input.append((statistics.median(orig_times), min(orig_times), c_med, max(0.0, c_took - c_med)))
        self.rounds += len(cand_times)

    def kernel_timing(self) -> KernelTiming | None:
        """The timing figures over all timed inputs, or None when nothing was timed."""
        if not self.per_input:
            return None
        n = len(self.per_input)
        t_o, fastest_o, t_c = (sum(x[i] for x in self.per_input) / n for i in range(3))
        once = self.load_s + sum(x[3] for x in self.per_input)  # paid once per run, not per input
        return KernelTiming(calls=self.total_calls, total_original_s=self.total_s, t_original_s=t_o,
                            t_candidate_s=t_c, rounds=self.rounds, compile_s=once,
                            significant=t_c < fastest_o)

    def _generated(self, original: Callable[..., Any], pristine: tuple, seeds: tuple[int, ...]) -> None:
        import numpy as np

        for seed in seeds:
            gen, n = _generate(pristine, np.random.default_rng(seed))
            if n == 0:
                self.notes.append("generated inputs skipped: no array arguments")
                return
            g_cand = copy.deepcopy(gen)
            state = _rng_state()
            out, exc = self._call(original, *gen)
            _set_rng(state)
            c_out, c_exc = self._call_candidate(*g_cand)
            self.inputs += 1
            self._compare(f"on generated inputs (seed {seed})", out, exc, gen, c_out, c_exc, g_cand,
                          strict_exc=False)
            if self.mismatch:
                return

    def result(self) -> FunctionResult:
        if self.mismatch:
            return FunctionResult("mismatch", self.mismatch, self.inputs, self.max_rel)
        if self.skip:
            return FunctionResult.skipped(self.skip)
        if self.inputs == 0:
            return FunctionResult.skipped(f"{self.name} was not called")
        return FunctionResult("ok", "", self.inputs, self.max_rel, self.notes, self.kernel_timing())


def _instrument(tree: ast.Module, name: str) -> bool:
    """Insert `name = __optadvise_wrap__(name)` after every module-level def of `name`."""
    found = _defs(tree, name)
    for body, _i, node in sorted(found, key=lambda t: -t[1]):
        stmt = ast.parse(f"{name} = __optadvise_wrap__({name})").body[0]
        ast.copy_location(stmt, node)
        for sub in ast.walk(stmt):
            ast.copy_location(sub, node)
        body.insert(body.index(node) + 1, stmt)
    return bool(found)


def _uses_recursion(tree: ast.Module, name: str) -> bool:
    for _, _, node in _defs(tree, name):
        for sub in ast.walk(node):
            if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name) and sub.func.id == name:
                return True
    return False


def main(spec_path: str) -> int:
    spec = read_message(FunctionSpec, spec_path)
    script = spec.script
    try:
        with open(script, "rb") as fh:
            orig_tree = ast.parse(fh.read(), script)
        with open(spec.candidate, "rb") as fh:
            cand_tree = ast.parse(fh.read(), spec.candidate)
    except (OSError, SyntaxError, ValueError) as e:
        write_message(FunctionResult.skipped(f"cannot parse: {e}"), spec.out)
        return 0
    name = spec.function
    if not _defs(cand_tree, name):
        write_message(FunctionResult.skipped(f"the candidate has no module-level function {name}"), spec.out)
        return 0
    if _uses_recursion(orig_tree, name):
        write_message(FunctionResult.skipped(f"{name} is recursive"), spec.out)
        return 0
    checker = Checker(spec, cand_tree, orig_tree)
    if not _instrument(orig_tree, name):
        write_message(FunctionResult.skipped(f"{name} is not defined at module level of the script"), spec.out)
        return 0
    code = compile(orig_tree, script, "exec")
    module = types.ModuleType("__main__")
    module.__dict__.update(__file__=script, __builtins__=__builtins__, __spec__=None, __package__=None,
                           __optadvise_wrap__=checker.wrap)
    sys.modules["__main__"] = module
    sys.argv = [script, *spec.args]
    sys.path[0] = os.path.dirname(os.path.abspath(script))
    status = 0
    try:
        exec(code, module.__dict__)  # noqa: S102 - the user's own script, in the child only
    except SystemExit as e:
        status = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except BaseException as e:  # noqa: BLE001 - the script's failure is judged at script level
        checker.notes.append(f"the script raised {type(e).__name__} under the harness")
        status = 1
    finally:
        write_message(checker.result(), spec.out)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
