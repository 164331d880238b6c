"""The `fix` report for a terminal: diffs of the verified rewrites, a verdict table, the outcome."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from optadvise.model import Attempt, FixReport, Verdict
from optadvise.report.diff import unified_diff
from optadvise.report.terminal import Terminal, draw, fit


def render_fix_text(report: FixReport, term: Terminal, apply: bool = False) -> str:
    """The report; diff lines are never cut, and output that is not a terminal is as wide as they are."""
    widest = max((len(line) for a in report.attempts for line in a.diff.splitlines()), default=0)
    return draw(lambda console: _render_text(report, apply, console), fit(term, widest))


DIFF_STYLE = {"+": "green", "-": "red", "@": "cyan"}


def print_diff(console: Console, diff: str) -> None:
    """Each diff line whole (soft wrap: never cut or broken by the console, whatever its width)."""
    for line in diff.splitlines():
        style = "bold" if line.startswith(("+++", "---")) else DIFF_STYLE.get(line[:1], "")
        console.print(Text(line, style=style), soft_wrap=True)


def _fmt(x: float | None, unit: str = "", spec: str = ".2f") -> str:
    return "-" if x is None else f"{x:{spec}}{unit}"


def _row(a: Attempt, written: bool) -> tuple[list[str], str]:
    """The table cells of one attempt, and the reason, printed in full under the table."""
    f = a.finding
    where = f"{f.function}:{f.lineno}"
    if a.verdict is None:
        return [f.code, where, a.kind, "-", "-", "[yellow]declined[/]"], a.declined or ""
    v = a.verdict
    if not v.accepted:
        mark, reason = "[red]rejected[/]", v.reason
    else:
        mark = "[bold green]applied[/]" if a.applied and written else "[green]verified[/]"
        reason = "passed " + ", ".join(v.checks) + ("" if a.applied else "; not chosen: another "
                                                   "candidate was faster or the combination failed")
        if (v.speedup or 0) < 1:  # accepted though slower: a scale-out rewrite, its verdict says why
            reason += f"; {v.reason}"
    speed = _fmt(v.kernel.speedup if v.kernel is not None else v.speedup, "x")
    if v.compile_s is not None and v.compile_s >= 0.05:
        speed += f" +{v.compile_s:.1f}s JIT"
    return [f.code, where, a.kind, speed, _fmt(v.max_rel_diff, "", ".1e"), mark], reason


def _speedups(v: Verdict) -> str:
    """The function's figures (kernel-level verdicts) and the whole script's speedup."""
    script = f"whole script {'' if v.script_measured else '~'}{_fmt(v.speedup, 'x')}" + \
        ("" if v.script_measured else " (estimated from the function's times)")
    k = v.kernel
    if k is None:
        return script
    return (f"function {_ms(k.t_original_s)} -> {_ms(k.t_candidate_s)} per call, {_ms(k.total_original_s)} -> "
            f"{_ms(k.total_candidate_s)} over {k.calls} call(s): {k.speedup:.2f}x; {script}")


def _ms(s: float) -> str:
    return f"{s * 1e3:.3g} ms" if s < 1 else f"{s:.3g} s"


def _render_text(report: FixReport, apply: bool, console: Console) -> None:
    console.print(f"[bold]optadvise fix[/] {escape(report.script)}: {len(report.findings)} finding(s)")
    for a in report.accepted:
        v = a.verdict
        assert v is not None
        console.print(f"\n[bold]{escape(a.finding.rule)}[/] in [bold]{escape(a.finding.function)}[/] "
                      f"({escape(a.kind)}: {escape(v.candidate.description)}), "
                      + (_speedups(v) if (v.speedup or 0) >= 1 else escape(v.reason)))
        print_diff(console, a.diff)
    if report.attempts:
        table = Table(title="Verdicts", title_justify="left")
        table.add_column("#", justify="right", style="dim")
        table.add_column("rule", no_wrap=True)
        table.add_column("where", overflow="fold", max_width=28)
        for col in ("kind", "speedup*", "max diff", "verdict"):
            table.add_column(col, no_wrap=True)
        reasons = []
        for n, a in enumerate(report.attempts, 1):
            cells, reason = _row(a, bool(report.written))
            table.add_row(str(n), *cells)
            reasons.append(f"[dim]{n}.[/] {escape(reason)}")
        console.print(table)
        console.print("[dim]* of the function on its real inputs (kernel level) or of the whole script[/]")
        for line in reasons:
            console.print(line, highlight=False)
    if report.combined is not None:
        c = report.combined
        state = "verified" if c.accepted else "rejected"
        console.print(f"all rewrites together: {state}, {_speedups(c)} vs the original: {escape(c.reason)}")
    for note in report.notes:
        console.print(f"[dim]note: {escape(note)}[/]")
    if report.final == report.original:
        console.print("[yellow]Nothing verified: the script is unchanged.[/]")
    elif report.written:
        console.print(f"[bold green]Wrote[/] {escape(report.written)} "
                      f"({len(report.accepted)} verified rewrite(s)).")
    elif not apply:
        total = unified_diff(report.original, report.final, report.script)
        console.print(f"{len(report.accepted)} verified rewrite(s), {total.count(chr(10))} diff lines; "
                      f"run with [bold]--apply[/] to write them.")
