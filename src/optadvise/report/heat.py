"""Line heat of the hot functions: which functions get a listing and which of their lines it shows.

Shared by the terminal and HTML reports: the script's own functions with line figures, hottest first,
each listed whole (a module body only where it costs something), every line with its source text;
`has_memory` says whether the listings show memory columns.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from optadvise.model import MODULE, FunctionStat, LineStat, ProfileRun

MIN_FUNCTION_SHARE = 0.01  # a function gets a listing from this share of the run on
MIN_MODULE_LINE_SHARE = 0.005  # a module-level line is listed from this share of the module's time on


@dataclass
class HeatLine:
    lineno: int
    stat: LineStat | None
    code: str


def heat_listings(run: ProfileRun, top: int) -> list[tuple[FunctionStat, list[HeatLine]]]:
    """Up to `top` hot functions of the script, each with the lines its listing shows."""
    spans = function_spans(run.source, run.profile.script)
    lines = run.source.splitlines()
    out: list[tuple[FunctionStat, list[HeatLine]]] = []
    for f in run.profile.functions:
        if len(out) >= top:
            break
        if not f.user or not f.lines or f.share < MIN_FUNCTION_SHARE:
            continue
        by_line = {ln.lineno: ln for ln in f.lines}
        if f.name == MODULE:  # a module body can be long: only the lines that cost something
            numbers = sorted(n for n, ln in by_line.items() if ln.share >= MIN_MODULE_LINE_SHARE)
        else:
            short = f.name.rsplit(".", 1)[-1]
            first, last = spans.get((f.lineno, short), (f.lineno, max(by_line, default=f.lineno)))
            numbers = list(range(first, last + 1))
        out.append((f, [HeatLine(n, by_line.get(n), lines[n - 1] if 0 < n <= len(lines) else "")
                        for n in numbers]))
    return out


def has_memory(listings: list[tuple[FunctionStat, list[HeatLine]]]) -> bool:
    """Whether any listed line has a memory figure (the reports then show the memory columns)."""
    return any(ln.stat is not None and (ln.stat.alloc_bytes or ln.stat.peak_bytes)
               for _f, lines in listings for ln in lines)


def function_spans(source: str, filename: str) -> dict[tuple[int, str], tuple[int, int]]:
    """(first line, name) -> (first, last) line of each function, to list its whole body."""
    spans: dict[tuple[int, str], tuple[int, int]] = {}
    try:
        tree = ast.parse(source, filename)
    except SyntaxError:
        return spans
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            spans[(first, node.name)] = (first, node.end_lineno or node.lineno)
            spans[(node.lineno, node.name)] = (first, node.end_lineno or node.lineno)
    return spans
