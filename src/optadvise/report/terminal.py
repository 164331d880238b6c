"""Rich renderables to a string: how the text renderers draw for a terminal (colour, width) or plain.

Output that is not a terminal (a pipe, a file) has no width: renderers lay it out wide enough for
their longest line (`fit`), so that no diff or source line is ever cut.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.console import Console


@dataclass(frozen=True)
class Terminal:
    """Where the text will be shown: its width, whether it is a terminal, whether colours are off
    (each None: as rich decides from the environment: COLUMNS, FORCE_COLOR, NO_COLOR)."""

    width: int | None = None
    color: bool | None = None
    no_color: bool | None = None


PLAIN = Terminal(no_color=True)  # a file or a pipe: no colour, as wide as the text needs
MIN_WIDTH = 120  # the layout width of output that is not a terminal, when nothing is wider


def stdout_terminal() -> Terminal:
    """How stdout shows text: a terminal's width and colour; no width (full lines) for a pipe or file."""
    probe = Console()
    return Terminal(width=probe.width if probe.is_terminal else None, color=probe.is_terminal)


def fit(term: Terminal, widest: int) -> Terminal:
    """`term`; for output without a width (not a terminal), one wide enough for `widest` columns."""
    return term if term.width is not None else dataclasses.replace(term, width=max(MIN_WIDTH, widest))


def draw(paint: Callable[[Console], None], term: Terminal, **options: Any) -> str:
    """What `paint` prints on a console shaped like `term`, as a string."""
    out = io.StringIO()
    paint(Console(file=out, width=term.width, force_terminal=term.color, no_color=term.no_color,
                  highlight=False, **options))
    return out.getvalue()
