"""GitHub Actions workflow annotations for `optadvise check` (`::warning file=...::message`)."""

from __future__ import annotations

from optadvise.model import STATIC_NOTE, CheckResult


def _data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(s: str) -> str:
    return _data(s).replace(":", "%3A").replace(",", "%2C")


def annotation(level: str, filename: str, line: int, col: int, title: str, message: str,
               end_line: int | None = None) -> str:
    props = [f"file={_prop(filename)}", f"line={max(line, 1)}"]
    if end_line and end_line > line:
        props.append(f"endLine={end_line}")
    props += [f"col={max(col, 1)}", f"title={_prop(title)}"]
    return f"::{level} {','.join(props)}::{_data(message)}\n"


def render_github(result: CheckResult) -> str:
    out = [annotation("warning", f.filename, f.lineno, result.column(f), f"{f.code} {f.rule}",
                      f"{f.message} ({STATIC_NOTE})", f.end_lineno) for f in result.findings]
    out += [annotation("error", e.filename, e.lineno, e.col,
                       "optadvise internal error" if e.kind == "internal" else f"optadvise {e.kind} error",
                       e.message) for e in result.errors]
    return "".join(out)
