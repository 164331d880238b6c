"""Rich renderables to a string: how the text renderers draw for a terminal (colour, width) or plain."""

from __future__ import annotations

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


def stdout_terminal() -> Terminal:
    """How stdout shows text: its width, and colour when it is a terminal (as rich decides)."""
    probe = Console()
    return Terminal(width=probe.width, color=probe.is_terminal)


def draw(paint: Callable[[Console], None], term: Terminal, **options: Any) -> str:
    """What `paint` prints on a console shaped like `term`, as a string."""
    out = io.StringIO()
    paint(Console(file=out, width=term.width, force_terminal=term.color, no_color=term.no_color,
                  highlight=False, **options))
    return out.getvalue()
