"""`optadvise check`: the static pre-commit/CI gate. It never imports or runs the code it checks.

Each file is read as bytes, decoded per PEP 263, parsed once with `ast` and indexed once
(`ModuleIndex`); every selected static rule's `find` queries that index. Files are spread over worker
processes in size-balanced chunks (serial for a few files). A file that cannot be read, decoded or
parsed is an error with file:line; a rule that raises is an internal error ("crash") for that file;
either way the other files are still checked.

Exit codes: 0 clean, 1 findings (0 with --exit-zero), 2 usage error or any file error or crash
(--exit-zero does not hide those).
"""

from __future__ import annotations

import ast
import gc
import io
import json
import os
import sys
import time
import tokenize
import traceback
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Iterable

from optadvise.config import OUTPUT_FORMATS, Config, find_pyproject, load_config
from optadvise.errors import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, OptadviseError
from optadvise.model import Finding, to_dict
from optadvise.rules.base import Rule
from optadvise.suppress import Suppressions

STATIC_NOTE = "static; run `optadvise profile` for measured evidence"

# Folders a directory walk never enters (explicitly named paths are still checked).
DEFAULT_EXCLUDES = frozenset({".git", ".hg", ".svn", "__pycache__", ".tox", ".nox", ".venv", "venv",
                              "node_modules", "build", "dist", ".eggs", ".mypy_cache",
                              ".pytest_cache", ".ruff_cache"})
PY_SUFFIXES = (".py", ".pyw")
SERIAL_BELOW = 16  # files; fewer than this run in-process
GC_EVERY = 25  # files between cyclic garbage collections in a worker
# Deeply nested code (generated sums of thousands of terms): `ast` builds its tree recursively in C, so it
# parses under a limit the C stack survives; the index and rules (Python frames, kept off the C stack
# since CPython 3.11) then get a few frames per level of that tree.
PARSE_RECURSION_LIMIT = 20_000
ANALYSIS_RECURSION_LIMIT = 4 * PARSE_RECURSION_LIMIT


@dataclass
class CheckError:
    """A file that could not be checked (kind: io, decode, syntax) or a rule that crashed (internal)."""

    filename: str
    lineno: int
    col: int
    message: str
    kind: str

    def __str__(self) -> str:
        label = "internal error" if self.kind == "internal" else "error"
        return f"{self.filename}:{self.lineno}:{self.col}: {label}: {self.message}"


@dataclass
class FileResult:
    filename: str
    lines: int = 0
    findings: list[Finding] = field(default_factory=list)
    errors: list[CheckError] = field(default_factory=list)
    source_lines: dict[int, str] = field(default_factory=dict)  # flagged line -> its text
    suppressed: int = 0


@dataclass
class CheckResult:
    """Everything one `check` run found, sorted by file, line, column and code."""

    rules: list[Rule]
    files: int = 0
    lines: int = 0
    findings: list[Finding] = field(default_factory=list)
    errors: list[CheckError] = field(default_factory=list)
    source_lines: dict[tuple[str, int], str] = field(default_factory=dict)
    suppressed: int = 0
    seconds: float = 0.0

    def column(self, f: Finding) -> int:
        """1-based character column of a finding (`ast` columns count UTF-8 bytes)."""
        line = self.source_lines.get((f.filename, f.lineno), "")
        return len(line.encode("utf-8")[:f.col].decode("utf-8", "ignore")) + 1

    @property
    def crashes(self) -> list[CheckError]:
        return [e for e in self.errors if e.kind == "internal"]

    def exit_code(self, exit_zero: bool = False) -> int:
        if self.errors:
            return EXIT_USAGE
        return EXIT_FINDINGS if self.findings and not exit_zero else EXIT_OK

    def to_dict(self) -> dict[str, Any]:
        return {
            "findings": [dict(to_dict(f), source=self.source_lines.get((f.filename, f.lineno), ""))
                         for f in self.findings],
            "errors": [to_dict(e) for e in self.errors],
            "summary": {"files": self.files, "lines": self.lines, "findings": len(self.findings),
                        "errors": len(self.errors), "crashes": len(self.crashes),
                        "suppressed": self.suppressed, "seconds": round(self.seconds, 3),
                        "rules": [r.code for r in self.rules]},
        }


# ------------------------------------------------------------------------------------ entry points


def run_check(paths: list[str], *, output_format: str | None = None, select: str | None = None,
              ignore: str | None = None, exit_zero: bool = False, config_path: str | None = None,
              no_config: bool = False, jobs: int | None = None) -> int:
    """The `check` command: configure, check, print the report, return the exit code."""
    if no_config:
        config = Config()
    else:
        config = load_config(config_path or find_pyproject(paths))
    fmt = output_format or config.output_format or "text"
    if fmt not in OUTPUT_FORMATS:
        raise OptadviseError(f"unknown output format {fmt!r}; use one of {', '.join(OUTPUT_FORMATS)}")
    result = check_paths(paths, config, select=_split(select), ignore=_split(ignore), jobs=jobs)
    render(result, fmt)
    return result.exit_code(exit_zero)


def check_paths(paths: list[str], config: Config | None = None, rules: list[Rule] | None = None, *,
                select: list[str] | None = None, ignore: list[str] | None = None,
                jobs: int | None = None) -> CheckResult:
    """Check files and folders with the static rules (`rules` defaults to `optadvise.rules.RULES`)."""
    started = time.perf_counter()
    config = config or Config()
    if rules is None:
        from optadvise.rules import RULES

        rules = RULES
    chosen = select_rules(rules, config, select, ignore)
    files, errors = collect_files(paths, config)
    tasks = []
    for display in files:
        off = {r.code for r in lookup(chosen, config.ignored_for(display), "per-file-ignores")}
        tasks.append((display, tuple(i for i, r in enumerate(chosen) if r.code not in off)))
    result = CheckResult(rules=chosen, files=len(files), errors=errors)
    for fr in _run_tasks(tasks, chosen, jobs):
        result.lines += fr.lines
        result.findings.extend(fr.findings)
        result.errors.extend(fr.errors)
        result.suppressed += fr.suppressed
        for lineno, text in fr.source_lines.items():
            result.source_lines[(fr.filename, lineno)] = text
    result.findings.sort(key=lambda f: (f.filename, f.lineno, f.col, f.code))
    result.errors.sort(key=lambda e: (e.filename, e.lineno, e.col))
    result.seconds = time.perf_counter() - started
    return result


def render(result: CheckResult, fmt: str, stream: Any = None) -> None:
    """Print the report; errors also go to stderr as `file:line:col: error: ...` (except github)."""
    stream = stream or sys.stdout
    if fmt == "text":
        from optadvise.report.check_text import render_text

        render_text(result, stream)
    elif fmt == "json":
        stream.write(json.dumps(result.to_dict(), indent=2) + "\n")
    elif fmt == "sarif":
        from optadvise.report.sarif import to_sarif

        stream.write(json.dumps(to_sarif(result), indent=2) + "\n")
    else:
        from optadvise.report.github import render_github

        stream.write(render_github(result))
    if fmt != "github":
        for e in result.errors:
            print(e, file=sys.stderr)
    if not result.files and not result.errors:
        print("optadvise: warning: no Python files found under the given paths", file=sys.stderr)


# ------------------------------------------------------------------------------------ selection


def lookup(rules: list[Rule], names: Iterable[str], where: str) -> list[Rule]:
    """Rules by code or slug (case-insensitive); an unknown name is a one-line error."""
    out = []
    for name in names:
        key = name.strip().lower()
        match = [r for r in rules if key in (r.code.lower(), r.slug)]
        if not match:
            from optadvise.rules import RULES

            if not any(key in (r.code.lower(), r.slug) for r in [*rules, *RULES]):
                raise OptadviseError(f"unknown rule {name!r} in {where}; `optadvise rules` lists them")
        out.extend(match)
    return out


def select_rules(rules: list[Rule], config: Config, select: list[str] | None,
                 ignore: list[str] | None) -> list[Rule]:
    """Static rules after config select/ignore, then command-line select/ignore (which win)."""
    where = config.path or "configuration"
    static = [r for r in rules if r.static]
    chosen = static
    for sel, ign, label in ((config.select, config.ignore, f"{where} [tool.optadvise]"),
                            (select, ignore or [], "the command line")):
        if sel is not None:
            wanted = lookup(rules, sel, f"{label} select")
            for r in wanted:
                if not r.static:
                    print(f"optadvise: warning: {r.slug} ({r.code}) needs runtime evidence; `check` "
                          f"skips it (use `optadvise profile`)", file=sys.stderr)
            chosen = [r for r in static if r in wanted]
        dropped = lookup(rules, ign, f"{label} ignore")
        chosen = [r for r in chosen if r not in dropped]
    for names in config.per_file_ignores.values():
        lookup(rules, names, f"{where} per-file-ignores")
    return chosen


def _split(value: str | None) -> list[str] | None:
    return None if value is None else [v.strip() for v in value.split(",") if v.strip()]


# ------------------------------------------------------------------------------------ files


def collect_files(paths: list[str], config: Config) -> tuple[list[str], list[CheckError]]:
    """Python files under `paths` (named files whatever their suffix), deduplicated, in order."""
    files: list[str] = []
    errors: list[CheckError] = []
    seen: set[str] = set()

    def add(path: str) -> None:
        path = os.path.normpath(path)  # ./pkg//a.py -> pkg/a.py; absolute paths stay absolute
        real = os.path.realpath(path)
        if real not in seen and not config.is_excluded(path):
            seen.add(real)
            files.append(path)

    for path in paths:
        if os.path.isdir(path):
            if not config.is_excluded(path):
                for found in _walk(path, config):
                    add(found)
        elif os.path.exists(path):
            add(path)
        else:
            errors.append(CheckError(path, 0, 0, "no such file or directory", "io"))
    return files, errors


def _walk(top: str, config: Config) -> Iterable[str]:
    try:
        entries = sorted(os.scandir(top), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        path = entry.path if top != "." else entry.name
        if entry.is_dir(follow_symlinks=False):
            if entry.name not in DEFAULT_EXCLUDES and not config.is_excluded(path):
                yield from _walk(path, config)
        elif entry.name.endswith(PY_SUFFIXES) and entry.is_file():
            yield path


# ------------------------------------------------------------------------------------ workers


def _run_tasks(tasks: list[tuple[str, tuple[int, ...]]], rules: list[Rule],
               jobs: int | None) -> Iterable[FileResult]:
    jobs = jobs or os.cpu_count() or 1
    if jobs == 1 or len(tasks) < SERIAL_BELOW:
        return _check_chunk(tasks, rules)
    chunks = _balance(tasks, jobs * 4)
    with ProcessPoolExecutor(max_workers=min(jobs, len(chunks))) as pool:
        return [fr for part in pool.map(_check_chunk, chunks, [rules] * len(chunks)) for fr in part]


def _balance(tasks: list[tuple[str, tuple[int, ...]]], n: int) -> list[list[tuple[str, tuple[int, ...]]]]:
    """`n` chunks of about equal bytes: biggest files first, each to the lightest chunk."""
    sizes = {}
    for display, _ in tasks:
        try:
            sizes[display] = os.path.getsize(display)
        except OSError:
            sizes[display] = 0
    chunks: list[list[tuple[str, tuple[int, ...]]]] = [[] for _ in range(min(n, len(tasks)))]
    load = [0] * len(chunks)
    for task in sorted(tasks, key=lambda t: -sizes[t[0]]):
        i = load.index(min(load))
        chunks[i].append(task)
        load[i] += sizes[task[0]] + 2000  # a per-file cost beyond its bytes
    return [c for c in chunks if c]


def _check_chunk(tasks: list[tuple[str, tuple[int, ...]]], rules: list[Rule]) -> list[FileResult]:
    """Check files one by one; the cyclic GC runs every few files instead of during each parse."""
    gc_was_on = gc.isenabled()
    gc.disable()
    try:
        out = []
        for n, (display, which) in enumerate(tasks, 1):
            out.append(check_file(display, [rules[i] for i in which]))
            if n % GC_EVERY == 0:
                gc.collect()
        return out
    finally:
        if gc_was_on:
            gc.enable()


def check_file(filename: str, rules: list[Rule]) -> FileResult:
    """Read, parse, index and run `rules` on one file; problems become `CheckError`s, never raise."""
    fr = FileResult(filename)
    try:
        with open(filename, "rb") as fh:
            raw = fh.read()
    except OSError as e:
        fr.errors.append(CheckError(filename, 0, 0, f"cannot read: {e.strerror}", "io"))
        return fr
    fr.lines = raw.count(b"\n") + (0 if raw.endswith(b"\n") or not raw else 1)
    source = _decode(filename, raw, fr)
    if source is None:
        return fr
    limit = sys.getrecursionlimit()
    try:
        sys.setrecursionlimit(max(limit, PARSE_RECURSION_LIMIT))
        tree = _parse(filename, source, raw, fr)
        if tree is not None:
            sys.setrecursionlimit(max(limit, ANALYSIS_RECURSION_LIMIT))
            _analyse(filename, source, tree, rules, fr)
    finally:
        sys.setrecursionlimit(limit)
    return fr


def _analyse(filename: str, source: str, tree: ast.Module, rules: list[Rule], fr: FileResult) -> None:
    from optadvise.rules.index import ModuleIndex

    try:
        index = ModuleIndex(source, filename, tree)
    except Exception as e:  # noqa: BLE001 - a bug of ours, reported per file
        fr.errors.append(_crash(filename, "building the module index", e))
        return
    suppressions = Suppressions(source)
    for rule in rules:
        try:
            for site in rule.find(index):
                if not site.confident:  # needs runtime evidence to be worth reporting
                    continue
                if suppressions.suppressed(site.lineno, rule.code, rule.slug):
                    fr.suppressed += 1
                    continue
                fr.findings.append(rule.finding(index, site, confidence="static"))
                fr.source_lines[site.lineno] = suppressions.line(site.lineno)
        except Exception as e:  # noqa: BLE001
            fr.errors.append(_crash(filename, f"rule {rule.slug} ({rule.code})", e))


def _decode(filename: str, raw: bytes, fr: FileResult) -> str | None:
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
        return raw.decode(encoding)
    except UnicodeDecodeError as e:
        lineno = raw.count(b"\n", 0, e.start) + 1
        col = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        fr.errors.append(CheckError(filename, lineno, col, f"cannot decode the source as {e.encoding} "
                                    f"({e.reason}); save it as UTF-8 or declare its coding", "decode"))
    except (SyntaxError, LookupError) as e:
        fr.errors.append(CheckError(filename, getattr(e, "lineno", None) or 1, 0,
                                    f"cannot decode the source: {getattr(e, 'msg', e)}", "decode"))
    return None


def _parse(filename: str, source: str, raw: bytes, fr: FileResult) -> ast.Module | None:
    if "\0" in source:  # ast reports these inconsistently across Python versions
        at = raw.find(b"\0")
        lineno = raw.count(b"\n", 0, at) + 1
        fr.errors.append(CheckError(filename, lineno, at - (raw.rfind(b"\n", 0, at) + 1) + 1,
                                    "syntax error: source contains a null byte", "syntax"))
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences and the like are not ours
            return ast.parse(source, filename)
    except SyntaxError as e:
        fr.errors.append(CheckError(filename, e.lineno or 1, e.offset or 0, f"syntax error: {e.msg}",
                                    "syntax"))
    except RecursionError:
        fr.errors.append(CheckError(filename, 1, 0, "cannot parse: too deeply nested", "syntax"))
    except (MemoryError, ValueError) as e:
        fr.errors.append(CheckError(filename, 1, 0, f"cannot parse: {type(e).__name__}: {e}", "syntax"))
    return None


def _crash(filename: str, what: str, e: BaseException) -> CheckError:
    """An internal error, located at the innermost AST node (or Site) the failing code was holding."""
    lineno = col = 0
    for frame, _ in reversed(list(traceback.walk_tb(e.__traceback__))):
        for value in frame.f_locals.values():
            if isinstance(value, ast.AST) and hasattr(value, "lineno"):
                lineno, col = value.lineno, value.col_offset + 1
            elif type(value).__name__ == "Site" and isinstance(getattr(value, "lineno", None), int):
                lineno, col = value.lineno, value.col + 1
            if lineno:
                break
        if lineno:
            break
    return CheckError(filename, lineno, col, f"in {what}: {type(e).__name__}: {e}", "internal")
