"""`[tool.optadvise]` in pyproject.toml (found by walking up from the checked paths, validated strictly),
and the folders a directory walk never enters.

    [tool.optadvise]
    select = ["OA101", "append-in-loop"]     # rule codes or slugs (default: every static rule)
    ignore = ["OA401"]
    exclude = ["generated/**", "legacy_*.py"]  # globs, added to the default excludes
    output-format = "text"                    # text | json | sarif | github
    [tool.optadvise.per-file-ignores]
    "tests/**" = ["loop-over-ndarray"]

Globs are relative to the folder holding the pyproject.toml; a glob without `/` matches any single path
component (`build`, `*_pb2.py`), one with `/` matches the relative path or any folder above the file.
Unknown keys, wrong types and bad values are one-line `OptadviseError`s; rule names are checked later
against the rules that will actually run (see `optadvise.rules.engine`).
"""

from __future__ import annotations

import difflib
import functools
import os
import re
from dataclasses import dataclass, field
from typing import Any

from optadvise.errors import OptadviseError

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

OUTPUT_FORMATS = ("text", "json", "sarif", "github")

KNOWN_KEYS = ("select", "ignore", "per-file-ignores", "exclude", "output-format")

# Folders a directory walk never enters (explicitly named paths are still checked).
DEFAULT_EXCLUDES = frozenset({".git", ".hg", ".svn", "__pycache__", ".tox", ".nox", ".venv", "venv",
                              "node_modules", "build", "dist", ".eggs", ".mypy_cache",
                              ".pytest_cache", ".ruff_cache"})


@dataclass
class Config:
    """The effective `[tool.optadvise]` settings (defaults when no table was found)."""

    select: list[str] | None = None  # None: every static rule
    ignore: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)  # glob -> codes/slugs
    exclude: list[str] = field(default_factory=list)
    output_format: str | None = None
    path: str | None = None  # the pyproject.toml it came from
    root: str = field(default_factory=os.getcwd)  # folder that globs are relative to

    def relpath(self, path: str) -> str:
        """`path` relative to `root` with `/` separators (absolute when it lies outside root)."""
        full = os.path.abspath(path)
        rel = os.path.relpath(full, self.root)
        return (full if rel.startswith("..") else rel).replace(os.sep, "/")

    def is_excluded(self, path: str) -> bool:
        rel = self.relpath(path)
        return any(glob_match(p, rel) for p in self.exclude)

    def ignored_for(self, path: str) -> list[str]:
        """Rule names that per-file-ignores switch off for `path`."""
        rel = self.relpath(path)
        return [name for pattern, names in self.per_file_ignores.items() if glob_match(pattern, rel)
                for name in names]


def find_pyproject(paths: list[str]) -> str | None:
    """The first pyproject.toml holding a [tool.optadvise] table, walking up from each path in turn."""
    seen: set[str] = set()
    for p in paths:
        d = os.path.abspath(p)
        if not os.path.isdir(d):
            d = os.path.dirname(d)
        while d not in seen:
            seen.add(d)
            candidate = os.path.join(d, "pyproject.toml")
            if os.path.isfile(candidate) and "optadvise" in _read_toml(candidate).get("tool", {}):
                return candidate
            parent = os.path.dirname(d)
            if parent == d:
                break
            d = parent
    return None


def load_config(path: str | None) -> Config:
    """Read and validate `[tool.optadvise]` from a pyproject.toml (None: the defaults)."""
    if path is None:
        return Config()
    table = _read_toml(path).get("tool", {}).get("optadvise", {})
    where = f"{path}: [tool.optadvise]"
    if not isinstance(table, dict):
        raise OptadviseError(f"{where} must be a table")
    for key in table:
        if key not in KNOWN_KEYS:
            raise OptadviseError(f"{where}: unknown key {key!r}{_hint(key, KNOWN_KEYS)}")
    cfg = Config(path=os.path.abspath(path), root=os.path.dirname(os.path.abspath(path)))
    if "select" in table:
        cfg.select = _names(table["select"], f"{where} select")
    cfg.ignore = _names(table.get("ignore", []), f"{where} ignore")
    cfg.exclude = _strings(table.get("exclude", []), f"{where} exclude")
    pfi = table.get("per-file-ignores", {})
    if not isinstance(pfi, dict):
        raise OptadviseError(f"{where} per-file-ignores must be a table of glob = [rules]")
    cfg.per_file_ignores = {g: _names(v, f"{where} per-file-ignores {g!r}") for g, v in pfi.items()}
    fmt = table.get("output-format")
    if fmt is not None and fmt not in OUTPUT_FORMATS:
        raise OptadviseError(f"{where} output-format must be one of {', '.join(OUTPUT_FORMATS)}, "
                             f"not {fmt!r}")
    cfg.output_format = fmt
    return cfg


def glob_match(pattern: str, relpath: str) -> bool:
    """Whether a `/`-separated relative path (or a folder above it) matches a config glob."""
    parts = relpath.split("/")
    if "/" not in pattern.rstrip("/"):
        rx = _glob_regex(pattern.rstrip("/"))
        return any(rx.fullmatch(part) for part in parts)
    rx = _glob_regex(pattern.strip("/").removeprefix("./"))
    return any(rx.fullmatch("/".join(parts[:i])) for i in range(len(parts), 0, -1))


@functools.lru_cache(maxsize=256)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    """`**` crosses folders, `*` and `?` stay within one, `[...]` is a character class."""
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[" and "]" in pattern[i + 1:]:
            j = pattern.index("]", i + 1)
            body = pattern[i + 1:j]
            out.append("[" + ("^" + body[1:] if body.startswith("!") else body) + "]")
            i = j
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out))


def _read_toml(path: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except OSError as e:
        raise OptadviseError(f"{path}: cannot read: {e.strerror}") from None
    except tomllib.TOMLDecodeError as e:
        raise OptadviseError(f"{path}: invalid TOML: {e}") from None


def _strings(value: Any, where: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise OptadviseError(f"{where} must be a list of strings")
    return list(value)


def _names(value: Any, where: str) -> list[str]:
    """Rule names from a list (or a comma-separated string), stripped, empty ones dropped."""
    if isinstance(value, str):
        value = value.split(",")
    return [v.strip() for v in _strings(value, where) if v.strip()]


def _hint(key: str, choices: Any) -> str:
    close = difflib.get_close_matches(key, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else f"; known: {', '.join(choices)}"
