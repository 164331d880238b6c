"""The `profile` report as a rich terminal view (the JSON document is in `profile_json`)."""

from __future__ import annotations

import ast
import json
import os
from typing import Any

from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from optadvise.model import MODULE, FunctionStat, Profile, ProfileRun
from optadvise.report.terminal import Terminal, draw

HEAT_WIDTH = 12
SEVERITY_STYLE = {"high": "bold red", "medium": "yellow", "low": "cyan", "info": "dim"}
FILE = Terminal(width=120, no_color=True)  # how the report is laid out when written to a file


def render_profile_text(run: ProfileRun, term: Terminal, top: int = 5) -> str:
    """The terminal report: summary, hot functions, heat listings of the top ones, findings."""
    return draw(lambda console: _render_text(run, console, top), term)


def _rel(path: str) -> str:
    if not path:
        return "<built-in>"
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


def _fmt_bytes(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return f"{n} B"


def _render_text(run: ProfileRun, console: Console, top: int) -> None:
    p = run.profile
    status = ("timed out" if p.timed_out else f"exit {p.returncode}" if p.returncode is not None
              else "stopped")
    console.rule(f"[bold]optadvise profile[/] {_rel(p.script)}")
    console.print(f"wall [bold]{p.wall_s:.2f} s[/]   CPU {p.cpu_s:.2f} s   "
                  f"peak memory {_fmt_bytes(p.peak_rss_bytes)} of {_fmt_bytes(p.ram_bytes)} RAM   "
                  f"{status}" + (f"   GPU {p.gpu}" if p.gpu else ""))
    if p.exception:
        console.print(f"[bold red]The script raised[/] {p.exception} (profile of what ran below)")
    for note in run.notes:
        console.print(f"[yellow]note:[/] {note}")
    _hot_table(console, p)
    sources = _function_sources(run.source, p.script)
    shown = 0
    for f in p.functions:
        if shown >= top or not f.user or not f.lines or f.share < 0.01:
            continue
        _heat_listing(console, f, run.source, sources)
        shown += 1
    _findings(console, run)


def _hot_table(console: Console, p: Profile) -> None:
    table = Table(title="Hot functions (cProfile, whole run)", title_justify="left")
    for col, just in (("function", "left"), ("where", "left"), ("share", "right"),
                      ("own s", "right"), ("total s", "right"), ("calls", "right")):
        table.add_column(col, justify=just)  # type: ignore[arg-type]
    for f in p.functions[:15]:
        where = f"{_rel(f.filename)}:{f.lineno}" if f.filename else "<built-in>"
        style = "bold" if f.user else "dim"
        table.add_row(Text(f.name, style=style), where, f"{f.share:6.1%}", f"{f.own_s:.3f}",
                      f"{f.cum_s:.3f}", str(f.calls))
    console.print(table)


def _function_sources(source: str, filename: str) -> dict[tuple[int, str], tuple[int, int]]:
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


def _heat_listing(console: Console, f: FunctionStat, source: str,
                  spans: dict[tuple[int, str], tuple[int, int]]) -> None:
    lines = source.splitlines()
    by_line = {ln.lineno: ln for ln in f.lines}
    if f.name == MODULE:  # a module body can be long: only the lines that cost something
        numbers = sorted(n for n, ln in by_line.items() if ln.share >= 0.005)
    else:
        short = f.name.rsplit(".", 1)[-1]
        first, last = spans.get((f.lineno, short), (f.lineno, max(by_line, default=f.lineno)))
        numbers = list(range(first, last + 1))
    table = Table(title=f"{f.name}  {_rel(f.filename)}:{f.lineno}  ({f.share:.1%} of the run)",
                  title_justify="left", show_edge=False, box=None, pad_edge=False)
    table.add_column("line", justify="right", style="dim")
    table.add_column("heat", width=HEAT_WIDTH)
    table.add_column("share", justify="right")
    table.add_column("hits", justify="right", style="dim")
    table.add_column("source", overflow="ellipsis", no_wrap=True)
    for n in numbers:
        stat = by_line.get(n)
        share = stat.share if stat else 0.0
        bar = "█" * round(share * HEAT_WIDTH)
        style = "red" if share >= 0.3 else "yellow" if share >= 0.1 else "green"
        code = lines[n - 1] if 0 < n <= len(lines) else ""
        table.add_row(str(n), Text(bar, style=style), f"{share:.1%}" if stat else "",
                      str(stat.hits) if stat else "", Text(code))
    console.print(table)


def _findings(console: Console, run: ProfileRun) -> None:
    if not run.findings:
        console.print("[green]No findings:[/] no rule matched a hot spot of this run.")
        return
    console.rule("[bold]Findings[/] (most run time at stake first)")
    for f in run.findings:
        style = SEVERITY_STYLE.get(f.severity, "")
        console.print(f"[{style}]{f.severity.upper():6}[/] [bold]{f.code} {f.rule}[/] "
                      f"{_rel(f.filename)}:{f.lineno} in {f.function}  "
                      f"[dim]({f.share:.0%} of run time)[/]")
        console.print(Padding(Text(f.message), (0, 0, 0, 7)))
        if f.evidence:
            facts = ", ".join(f"{k}={_short(v)}" for k, v in f.evidence.items())
            console.print(Padding(Text(f"evidence: {facts}", style="dim"), (0, 0, 0, 7)))
        if f.fixes:
            console.print(Padding(Text(f"fix: optadvise fix {_rel(run.profile.script)} --rule {f.rule}"
                                       f"  ({', '.join(f.fixes)})", style="dim"), (0, 0, 0, 7)))


def _short(v: Any) -> str:
    if isinstance(v, dict) and v and all(isinstance(a, dict) and "shape" in a for a in v.values()):
        v = {name: f"{a.get('dtype', '')}[{'x'.join(map(str, a['shape']))}]" for name, a in v.items()}
        return "{" + ", ".join(f"{k}: {t}" for k, t in v.items()) + "}"
    text = json.dumps(v, default=str) if not isinstance(v, str) else v
    return text if len(text) <= 60 else text[:57] + "..."
