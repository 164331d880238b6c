"""The rewriters, one module per rewrite kind; `REWRITERS` lists them in the order they are tried."""

from __future__ import annotations

from optadvise.rewriters.base import Decline, Rewriter

REWRITERS: list[Rewriter] = []


def register(cls: type[Rewriter]) -> type[Rewriter]:
    """Class decorator: add a rewriter to `REWRITERS`."""
    REWRITERS.append(cls())
    return cls


def load_all() -> list[Rewriter]:
    """Import every rewriter module (each registers itself) and return the registry."""
    import importlib
    import pkgutil

    import optadvise.rewriters as pkg

    for mod in pkgutil.iter_modules(pkg.__path__):
        if mod.name not in ("base",):
            importlib.import_module(f"optadvise.rewriters.{mod.name}")
    return REWRITERS


__all__ = ["Decline", "Rewriter", "REWRITERS", "register", "load_all"]
