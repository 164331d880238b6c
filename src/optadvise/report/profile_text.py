"""The `profile` report as a rich terminal view (the JSON document is in `profile_json`)."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console, JustifyMethod
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from optadvise.model import FunctionStat, ProfileRun
from optadvise.report.frames import HotRow, all_rows, hot_rows, rel_path
from optadvise.report.heat import HeatLine, has_memory, heat_listings
from optadvise.report.terminal import PLAIN, Terminal, draw, fit

HEAT_WIDTH = 12
HEAT_CHROME = 60  # columns of a heat listing beside the source (line, heat, share, hits, memory)
SEVERITY_STYLE = {"high": "bold red", "medium": "yellow", "low": "cyan", "info": "dim"}
FILE = PLAIN  # how the report is laid out when written to a file


def render_profile_text(run: ProfileRun, term: Terminal, top: int = 5, all_frames: bool = False) -> str:
    """The terminal report: summary, hot functions (yours first, libraries folded per package unless
    `all_frames`), heat listings of the top ones, findings. Source lines are never cut."""
    widest = max((len(line) for line in run.source.splitlines()), default=0) + HEAT_CHROME
    return draw(lambda console: _render_text(run, console, top, all_frames), fit(term, widest))


def _fmt_bytes(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return f"{n} B"


def alloc_text(n: int) -> str:
    """A memory cell of the line heat: blank for nothing allocated."""
    return _fmt_bytes(n) if n else ""


def _render_text(run: ProfileRun, console: Console, top: int, all_frames: bool) -> None:
    p = run.profile
    status = ("timed out" if p.timed_out else f"exit {p.returncode}" if p.returncode is not None
              else "stopped")
    console.rule(f"[bold]optadvise profile[/] {rel_path(p.script)}")
    console.print(f"wall [bold]{p.wall_s:.2f} s[/]   CPU {p.cpu_s:.2f} s   "
                  f"peak memory {_fmt_bytes(p.peak_rss_bytes)} of {_fmt_bytes(p.ram_bytes)} RAM   "
                  f"{status}" + (f"   GPU {p.gpu}" if p.gpu else ""))
    if p.exception:
        console.print(f"[bold red]The script raised[/] {p.exception} (profile of what ran below)")
    for note in run.notes:
        console.print(f"[yellow]note:[/] {note}")
    _hot_table(console, all_rows(p) if all_frames else hot_rows(p), all_frames)
    listings = heat_listings(run, top)
    memory = has_memory(listings)
    for f, lines in listings:
        _heat_listing(console, f, lines, memory)
    _findings(console, run)


def _hot_table(console: Console, rows: list[HotRow], all_frames: bool) -> None:
    console.print(Text("Hot functions (whole run, every frame)" if all_frames else
                       "Hot functions (whole run): yours first, then libraries folded per package "
                       "by own time (--all-frames: every frame)", style="italic"))
    table = Table()
    columns: list[tuple[str, JustifyMethod]] = [("function", "left"), ("where", "left"), ("share", "right"),
                                                ("own s", "right"), ("total s", "right"), ("calls", "right")]
    for col, just in columns:
        table.add_column(col, justify=just, overflow="fold")
    for r in rows:
        table.add_row(Text(r.name, style="bold" if r.own else "dim"), r.where, f"{r.share:6.1%}",
                      f"{r.own_s:.3f}", "-" if r.cum_s is None else f"{r.cum_s:.3f}", str(r.calls))
    console.print(table)


def _heat_listing(console: Console, f: FunctionStat, lines: list[HeatLine], memory: bool) -> None:
    """One function's lines: time heat, hits and, with `memory`, bytes allocated (net, peak window)."""
    table = Table(title=f"{f.name}  {rel_path(f.filename)}:{f.lineno}  ({f.share:.1%} of the run)",
                  title_justify="left", show_edge=False, box=None, pad_edge=False)
    table.add_column("line", justify="right", style="dim")
    table.add_column("heat", width=HEAT_WIDTH)
    table.add_column("share", justify="right")
    table.add_column("hits", justify="right", style="dim")
    if memory:
        table.add_column("alloc", justify="right")
        table.add_column("peak", justify="right", style="dim")
    table.add_column("source", overflow="fold")  # wrapped on a narrow terminal, never cut
    for line in lines:
        stat = line.stat
        share = stat.share if stat else 0.0
        bar = "█" * round(share * HEAT_WIDTH)
        style = "red" if share >= 0.3 else "yellow" if share >= 0.1 else "green"
        cells: list[str | Text] = [str(line.lineno), Text(bar, style=style), f"{share:.1%}" if stat else "",
                                   str(stat.hits) if stat else ""]
        if memory:
            cells += [alloc_text(stat.alloc_bytes if stat else 0), alloc_text(stat.peak_bytes if stat else 0)]
        table.add_row(*cells, Text(line.code))
    console.print(table)


def _findings(console: Console, run: ProfileRun) -> None:
    if not run.findings:
        console.print("[green]No findings:[/] no rule matched a hot spot of this run.")
        return
    console.rule("[bold]Findings[/] (most run time at stake first)")
    for f in run.findings:
        style = SEVERITY_STYLE.get(f.severity, "")
        console.print(f"[{style}]{f.severity.upper():6}[/] [bold]{f.code} {f.rule}[/] "
                      f"{rel_path(f.filename)}:{f.lineno} in {f.function}  "
                      f"[dim]({f.share:.0%} of run time)[/]")
        console.print(Padding(Text(f.message), (0, 0, 0, 7)))
        if f.evidence:
            facts = ", ".join(f"{k}={short_value(v)}" for k, v in f.evidence.items())
            console.print(Padding(Text(f"evidence: {facts}", style="dim"), (0, 0, 0, 7)))
        if f.fixes:
            console.print(Padding(Text(f"fix: optadvise fix {rel_path(run.profile.script)} --rule {f.rule}"
                                       f"  ({', '.join(f.fixes)})", style="dim"), (0, 0, 0, 7)))


def short_value(v: Any) -> str:
    if isinstance(v, dict) and v and all(isinstance(a, dict) and "shape" in a for a in v.values()):
        v = {name: f"{a.get('dtype', '')}[{'x'.join(map(str, a['shape']))}]" for name, a in v.items()}
        return "{" + ", ".join(f"{k}: {t}" for k, t in v.items()) + "}"
    text = json.dumps(v, default=str) if not isinstance(v, str) else v
    return text if len(text) <= 60 else text[:57] + "..."
