"""The terminal report of `optadvise check`: findings grouped by file, each with its source line."""

from __future__ import annotations

from itertools import groupby

from rich.console import Console
from rich.text import Text

from optadvise.model import STATIC_NOTE, CheckResult
from optadvise.report.terminal import Terminal, draw


def render_check_text(result: CheckResult, term: Terminal) -> str:
    return draw(lambda console: _render(result, console), term, soft_wrap=True)


def _render(result: CheckResult, console: Console) -> None:
    for filename, group in groupby(result.findings, key=lambda f: f.filename):
        console.print(Text(filename, style="bold underline"))
        for f in group:
            line = Text(f"{filename}:{f.lineno}:{result.column(f)}: ", style="dim")
            line.append(f.code, style="bold yellow").append(f" [{f.rule}] ", style="yellow")
            line.append(f.message).append(f" ({STATIC_NOTE})", style="dim")
            console.print(line)
            source = result.source_lines.get((f.filename, f.lineno), "")
            if source.strip():
                console.print(Text(f"    {f.lineno:>5} | {source.rstrip()}", style="cyan"))
        console.print()
    counts = f"{len(result.findings)} finding{'s' * (len(result.findings) != 1)}"
    summary = (f"{counts} in {result.files} file{'s' * (result.files != 1)} "
               f"({result.lines} lines, {result.seconds:.2f}s)")
    if result.suppressed:
        summary += f", {result.suppressed} suppressed"
    if result.errors:
        summary += f", {len(result.errors)} error{'s' * (len(result.errors) != 1)} (listed on stderr)"
    style = "bold red" if result.errors else "bold yellow" if result.findings else "bold green"
    console.print(Text(summary, style=style))
