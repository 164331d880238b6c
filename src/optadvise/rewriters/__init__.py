"""The rewriters, one module per rewrite kind; `REWRITERS` lists them in the order they are tried."""

from __future__ import annotations

import importlib
import pkgutil

from optadvise.rewriters.base import Decline, Rewriter

REWRITERS: list[Rewriter] = []
# Tried in this order: plain NumPy first (no new dependency, no compile time), then the others.
PREFERENCE = ["vectorize", "numba", "sparse", "memmap", "processpool", "cupy", "dtype-narrow"]


def register(cls: type[Rewriter]) -> type[Rewriter]:
    """Class decorator: add a rewriter to `REWRITERS`."""
    REWRITERS.append(cls())
    return cls


def module_names() -> list[str]:
    """Every rewriter module (and package of their services), by its import name."""
    return [f"{__name__}.{mod.name}" for mod in pkgutil.iter_modules(__path__)]


def load_all() -> list[Rewriter]:
    """Import every rewriter module (each registers itself) and return the registry."""
    for name in module_names():
        importlib.import_module(name)
    REWRITERS.sort(key=lambda rw: PREFERENCE.index(rw.kind) if rw.kind in PREFERENCE else len(PREFERENCE))
    return REWRITERS


__all__ = ["Decline", "Rewriter", "REWRITERS", "register", "load_all", "module_names"]
