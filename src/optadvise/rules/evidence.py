"""Queries rules make of a Profile: a function's stats, the run-time share of a line span, arrays seen."""

from __future__ import annotations

import ast

from optadvise.model import MODULE, ArrayInfo, FunctionStat, Profile
from optadvise.rules.index import ModuleIndex


def function_stat(profile: Profile, index: ModuleIndex, function: str) -> FunctionStat | None:
    """cProfile's record of a function of this module (matched by name and first line)."""
    if function == MODULE:
        name, first_lines = MODULE, {1}
    else:
        scope = index.scopes.get(function)
        node = scope.node if scope else None
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return None
        name = node.name
        first_lines = {node.lineno, *(d.lineno for d in node.decorator_list)}
    for f in profile.functions:
        if f.filename == index.filename and f.name == name and (f.lineno in first_lines or name == MODULE):
            return f
    return None


def span_share(profile: Profile, index: ModuleIndex, function: str, first: int, last: int) -> float:
    """Share of the whole run spent on lines first..last of `function` (inclusive of calls made)."""
    f = function_stat(profile, index, function)
    if f is None:
        return 0.0
    if f.lines:
        return f.share * sum(ln.share for ln in f.lines if first <= ln.lineno <= last)
    return 0.0 if function == MODULE else f.share


def observed_arrays(profile: Profile, function: str, names: set[str]) -> dict[str, ArrayInfo]:
    """Arrays (or numeric lists) seen under these names in `function`, or at module level."""
    found: dict[str, ArrayInfo] = {}
    for a in profile.arrays:
        if a.name in names and a.function in (function, MODULE):
            if a.name not in found or a.function == function:
                found[a.name] = a
    return found


def describe_array(a: ArrayInfo) -> str:
    shape = "x".join(str(s) for s in a.shape) or "0-d"
    return f"{a.name}: {a.kind} {a.dtype} ({shape}, {a.nbytes / 2**20:.1f} MiB)"


def enclosing_span(index: ModuleIndex, function: str, lineno: int) -> tuple[int, int]:
    """The innermost loop of `function` around `lineno`, else the line itself.

    The sampler can only book time between bytecodes that check for signals (loop jumps,
    calls), so the time of a long C call inside a loop may land on the loop's header; a loop's
    whole span is the unit whose share is reliable.
    """
    best = (lineno, lineno)
    for loop in index.loops_in(function):
        lo, hi = loop.node.lineno, loop.node.end_lineno or loop.node.lineno
        if lo <= lineno <= hi and (best == (lineno, lineno) or lo >= best[0]):
            best = (lo, hi)
    return best
