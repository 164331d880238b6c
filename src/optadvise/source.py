"""Reading a user's Python file safely: existence, kind, encoding and syntax, each a clear error."""

from __future__ import annotations

import ast
import io
import os
import tokenize

from optadvise.errors import OptadviseError


def read_source(path: str) -> str:
    """The decoded text of a Python file (PEP 263 coding lines honoured), or an OptadviseError."""
    if not os.path.exists(path):
        raise OptadviseError(f"{path}: no such file")
    if os.path.isdir(path):
        raise OptadviseError(f"{path}: is a directory, not a Python script")
    if not path.endswith((".py", ".pyw")):
        raise OptadviseError(f"{path}: not a Python file (expected a .py script)")
    raw, encoding = read_raw(path)
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as e:
        raise _undecodable(path, e.reason) from None


def read_raw(path: str) -> tuple[bytes, str]:
    """A source file's bytes and the encoding they declare (PEP 263), or an OptadviseError."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as e:
        raise OptadviseError(f"{path}: cannot read: {e.strerror}") from None
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    except (SyntaxError, LookupError) as e:
        raise _undecodable(path, str(e)) from None
    return raw, encoding


def _undecodable(path: str, reason: str) -> OptadviseError:
    return OptadviseError(f"{path}: cannot decode the source ({reason}); save it as UTF-8 or add a "
                          f"'# -*- coding: ... -*-' line")


def parse_source(path: str, source: str) -> ast.Module:
    """Parse, turning a SyntaxError into `file:line:col: syntax error: ...`."""
    try:
        return ast.parse(source, path)
    except SyntaxError as e:
        raise OptadviseError(f"{syntax_error_location(path, e)}: syntax error: {e.msg}") from None
    except ValueError as e:  # null bytes
        raise OptadviseError(f"{path}: cannot parse: {e}") from None


def syntax_error_location(path: str, e: SyntaxError) -> str:
    return f"{path}:{e.lineno or 0}:{e.offset or 0}"


def load_script(path: str) -> tuple[str, ast.Module]:
    """Read and parse a script, or raise a one-line OptadviseError."""
    source = read_source(path)
    return source, parse_source(path, source)
