"""The progress spinner of a long command: a rich status on stderr, only when stderr is a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def spinner(text: str, enabled: bool = True) -> Iterator[Callable[[str], None]]:
    """Show `text` while the block runs; the block gets `update(msg)`, which shows `text: msg`."""
    if not (enabled and sys.stderr.isatty()):
        yield lambda msg: None
        return
    from rich.console import Console  # lazy: only a terminal pays for rich here

    with Console(stderr=True).status(text) as status:
        yield lambda msg: status.update(f"{text}: {msg}")
