"""Whose time: the script's own functions first, library and standard-library time folded per package.

cProfile's table mixes the script's functions with NumPy internals, `<frozen importlib...>` frames and
wrappers such as `builtins.exec` whose cumulative time is the whole run. `hot_rows` lists the user's
own code (the script and other modules of the working directory) by cumulative time, then every other
frame's *own* time summed per top-level package (`numpy`, `scipy`), `<stdlib>`, `<builtins>` or
`<import>`, so that no wrapper can lead. `all_rows` is the unfolded table (`--all-frames`).
"""

from __future__ import annotations

import os
import re
import sys
import sysconfig
from dataclasses import dataclass

from optadvise.model import FunctionStat, Profile

MIN_SHARE = 0.005  # rows below this share of the run are left out (own functions: the top few stay)
MIN_OWN_ROWS = 5
STDLIB = "<stdlib>"
BUILTINS = "<builtins>"
IMPORT = "<import>"
WRAPPERS = {"<built-in method builtins.exec>", "<built-in method builtins.eval>"}
_STDLIB_DIRS = tuple(os.path.realpath(sysconfig.get_path(k)) + os.sep for k in ("stdlib", "platstdlib"))
_BUILTIN_NAME = re.compile(r"<built-in method ([\w.]+)>|<method '\w+' of '([\w.]+)' objects>|<function ([\w.]+)")


@dataclass
class HotRow:
    """One row of the hot-function table: a function of the user's code, or a folded package."""

    name: str
    where: str
    share: float  # of the run: cumulative for own functions, own time summed for packages
    own_s: float
    cum_s: float | None  # None for a folded package (nested calls make its total meaningless)
    calls: int
    own: bool


def rel_path(path: str) -> str:
    """`path` relative to the working directory when it lies under it, else as given."""
    if not path:
        return "<built-in>"
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


def package_of(f: FunctionStat) -> str | None:
    """The package a frame's time is folded into, or None for the user's own code."""
    if f.user:
        return None
    path = f.filename
    if not path:
        m = _BUILTIN_NAME.match(f.name)
        module = next((g for g in m.groups() if g), "") if m else ""
        top = module.split(".", 1)[0] if "." in module else "builtins"
        return BUILTINS if top == "builtins" else STDLIB if top.lstrip("_") in _stdlib_names() else top
    if "importlib" in path and (path.startswith("<frozen") or os.sep + "importlib" + os.sep in path):
        return IMPORT
    if path.startswith("<"):
        return STDLIB
    parts = path.split(os.sep)
    for marker in ("site-packages", "dist-packages"):
        if marker in parts:
            i = len(parts) - 1 - parts[::-1].index(marker)
            if i + 1 < len(parts):
                return parts[i + 1].removesuffix(".py").split("-", 1)[0]
    real = os.path.realpath(path)
    if real.startswith(_STDLIB_DIRS):
        return STDLIB
    return None if not rel_path(path).startswith(os.sep) else os.path.basename(os.path.dirname(path)) or path


def _stdlib_names() -> frozenset[str]:
    return frozenset(getattr(sys, "stdlib_module_names", ())) | {"thread", "lsprof"}


def hot_rows(p: Profile) -> list[HotRow]:
    """The user's own functions that matter (by cumulative time), then other time folded per package."""
    total = max(p.wall_s, sum(f.own_s for f in p.functions), 1e-9)
    own = [f for f in p.functions if package_of(f) is None and f.name not in WRAPPERS]
    own.sort(key=lambda f: f.cum_s, reverse=True)
    rows = [HotRow(f.name, _where(f), f.share, f.own_s, f.cum_s, f.calls, True)
            for n, f in enumerate(own) if n < MIN_OWN_ROWS or f.share >= MIN_SHARE]
    folded: dict[str, list[FunctionStat]] = {}
    for f in p.functions:
        pkg = package_of(f)
        if pkg is not None and f.name not in WRAPPERS:
            folded.setdefault(pkg, []).append(f)
    groups = [HotRow(pkg, f"{len(fs)} function{'s' * (len(fs) != 1)}", sum(f.own_s for f in fs) / total,
                     sum(f.own_s for f in fs), None, sum(f.calls for f in fs), False)
              for pkg, fs in folded.items()]
    return rows + sorted((g for g in groups if g.share >= MIN_SHARE), key=lambda g: g.own_s, reverse=True)


def all_rows(p: Profile) -> list[HotRow]:
    """Every frame cProfile kept, unfolded, by cumulative time."""
    return [HotRow(f.name, _where(f), f.share, f.own_s, f.cum_s, f.calls, package_of(f) is None)
            for f in p.functions]


def _where(f: FunctionStat) -> str:
    return f"{rel_path(f.filename)}:{f.lineno}" if f.filename else "<built-in>"
