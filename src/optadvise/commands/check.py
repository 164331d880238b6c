"""`optadvise check`: the static pre-commit/CI gate. It never imports or runs the code it checks.

Each file is read and parsed once by the source reader and indexed once (`ModuleIndex`); the rule
engine runs every selected static rule's `find` on that index. Files are spread over worker
processes in size-balanced chunks (serial for a few files). A file that cannot be read, decoded or
parsed is an error with file:line; a rule that raises is an internal error ("crash") for that file;
either way the other files are still checked.
"""

from __future__ import annotations

import ast
import gc
import os
import sys
import time
import traceback
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor

from optadvise import rules as registry
from optadvise.config import DEFAULT_EXCLUDES, OUTPUT_FORMATS, Config, find_pyproject, load_config
from optadvise.errors import OptadviseError
from optadvise.model import CheckError, CheckResult, FileResult
from optadvise.rules.base import Rule
from optadvise.rules.engine import lookup, select_rules, static_findings
from optadvise.rules.index import ModuleIndex
from optadvise.source import PY_SUFFIXES, SourceError, decode, detect_encoding, parse, read_bytes
from optadvise.suppress import Suppressions

SERIAL_BELOW = 16  # files; fewer than this run in-process
GC_EVERY = 25  # files between cyclic garbage collections in a worker
# Deeply nested code (generated sums of thousands of terms): `ast` builds its tree recursively in C, so it
# parses under a limit the C stack survives; the index and rules (Python frames, kept off the C stack
# since CPython 3.11) then get a few frames per level of that tree.
PARSE_RECURSION_LIMIT = 20_000
ANALYSIS_RECURSION_LIMIT = 4 * PARSE_RECURSION_LIMIT


def run_check(paths: list[str], *, output_format: str | None = None, select: str | None = None,
              ignore: str | None = None, config_path: str | None = None, no_config: bool = False,
              jobs: int | None = None) -> tuple[CheckResult, str]:
    """The `check` command: configure, then check; the result and the output format to show it in."""
    if no_config:
        config = Config()
    else:
        config = load_config(config_path or find_pyproject(paths))
    fmt = output_format or config.output_format or "text"
    if fmt not in OUTPUT_FORMATS:
        raise OptadviseError(f"unknown output format {fmt!r}; use one of {', '.join(OUTPUT_FORMATS)}")
    return check_paths(paths, config, select=_split(select), ignore=_split(ignore), jobs=jobs), fmt


def check_paths(paths: list[str], config: Config | None = None, rules: list[Rule] | None = None, *,
                select: list[str] | None = None, ignore: list[str] | None = None,
                jobs: int | None = None) -> CheckResult:
    """Check files and folders with the static rules (`rules` defaults to `optadvise.rules.RULES`)."""
    started = time.perf_counter()
    config = config or Config()
    chosen, warnings = select_rules(registry.RULES if rules is None else rules, config, select, ignore)
    files, errors = collect_files(paths, config)
    tasks = []
    for display in files:
        off = {r.code for r in lookup(chosen, config.ignored_for(display), "per-file-ignores")}
        tasks.append((display, tuple(i for i, r in enumerate(chosen) if r.code not in off)))
    result = CheckResult(rules=list(chosen), files=len(files), errors=errors, warnings=warnings)
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


def _split(value: str | None) -> list[str] | None:
    return None if value is None else [v.strip() for v in value.split(",") if v.strip()]


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
    limit = sys.getrecursionlimit()
    try:
        raw = read_bytes(filename)
        fr.lines = raw.count(b"\n") + (0 if raw.endswith(b"\n") or not raw else 1)
        source = decode(filename, raw, detect_encoding(filename, raw))
        sys.setrecursionlimit(max(limit, PARSE_RECURSION_LIMIT))
        tree = parse(filename, source, raw)
        sys.setrecursionlimit(max(limit, ANALYSIS_RECURSION_LIMIT))
        _analyse(filename, source, tree, rules, fr)
    except SourceError as e:
        fr.errors.append(CheckError(filename, e.lineno, e.col, e.detail, e.kind))
    finally:
        sys.setrecursionlimit(limit)
    return fr


def _analyse(filename: str, source: str, tree: ast.Module, rules: list[Rule], fr: FileResult) -> None:
    """The engine's static findings for one file, less those its comments suppress."""
    try:
        index = ModuleIndex(source, filename, tree)
    except Exception as e:  # noqa: BLE001 - a bug of ours, reported per file
        fr.errors.append(_crash(filename, "building the module index", e))
        return

    def crashed(rule: Rule, e: Exception) -> None:
        fr.errors.append(_crash(filename, f"rule {rule.slug} ({rule.code})", e))

    suppressions = Suppressions(source)
    for finding in static_findings(index, rules, on_error=crashed):
        if suppressions.suppressed(finding.lineno, finding.code, finding.rule):
            fr.suppressed += 1
            continue
        fr.findings.append(finding)
        fr.source_lines[finding.lineno] = suppressions.line(finding.lineno)


def _crash(filename: str, what: str, e: BaseException) -> CheckError:
    """An internal error, located at the innermost AST node (or Site) the failing code was holding."""
    lineno = col = 0
    for frame, _ in reversed(list(traceback.walk_tb(e.__traceback__))):
        for value in frame.f_locals.values():
            if isinstance(value, (ast.expr, ast.stmt)):
                lineno, col = value.lineno, value.col_offset + 1
            elif type(value).__name__ == "Site" and isinstance(getattr(value, "lineno", None), int):
                lineno, col = value.lineno, value.col + 1
            if lineno:
                break
        if lineno:
            break
    return CheckError(filename, lineno, col, f"in {what}: {type(e).__name__}: {e}", "internal")
