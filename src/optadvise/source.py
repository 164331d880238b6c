"""The one source reader: a Python file's bytes, its declared encoding (PEP 263), its text and its
`ast` tree, every failure a `SourceError` located at file:line:col (kind io, decode or syntax).

`check` records those errors per file and goes on; `profile` and `fix` (`load_script`) stop on them.
"""

from __future__ import annotations

import ast
import io
import os
import tokenize
import warnings

from optadvise.errors import OptadviseError

PY_SUFFIXES = (".py", ".pyw")


class SourceError(OptadviseError):
    """A file that cannot be read, decoded or parsed; `kind` is io, decode or syntax."""

    def __init__(self, filename: str, lineno: int, col: int, detail: str, kind: str):
        where = f"{filename}:{lineno}:{col}" if lineno else filename
        super().__init__(f"{where}: {detail}")
        self.filename, self.lineno, self.col, self.detail, self.kind = filename, lineno, col, detail, kind


def read_bytes(path: str) -> bytes:
    """A file's bytes."""
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as e:
        raise SourceError(path, 0, 0, f"cannot read: {e.strerror}", "io") from None


def read_raw(path: str) -> tuple[bytes, str]:
    """A source file's bytes and the encoding they declare (PEP 263)."""
    raw = read_bytes(path)
    return raw, detect_encoding(path, raw)


def detect_encoding(path: str, raw: bytes) -> str:
    """The encoding `raw` declares (utf-8 when it declares none)."""
    try:
        return tokenize.detect_encoding(io.BytesIO(raw).readline)[0]
    except (SyntaxError, LookupError) as e:
        raise SourceError(path, getattr(e, "lineno", None) or 1, 0,
                          f"cannot decode the source: {getattr(e, 'msg', e)}", "decode") from None


def decode(path: str, raw: bytes, encoding: str) -> str:
    """`raw` decoded; an undecodable byte is reported at its line and column."""
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as e:
        lineno = raw.count(b"\n", 0, e.start) + 1
        col = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        raise SourceError(path, lineno, col, f"cannot decode the source as {e.encoding} ({e.reason}); "
                          f"save it as UTF-8 or declare its coding", "decode") from None


def parse(path: str, source: str, raw: bytes) -> ast.Module:
    """`source` parsed (warnings about the code are not ours to show)."""
    if "\0" in source:  # ast reports these inconsistently across Python versions
        at = raw.find(b"\0")
        raise SourceError(path, raw.count(b"\n", 0, at) + 1, at - (raw.rfind(b"\n", 0, at) + 1) + 1,
                          "syntax error: source contains a null byte", "syntax")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(source, path)
    except SyntaxError as e:
        raise SourceError(path, e.lineno or 1, e.offset or 0, f"syntax error: {e.msg}", "syntax") from None
    except RecursionError:
        raise SourceError(path, 1, 0, "cannot parse: too deeply nested", "syntax") from None
    except (MemoryError, ValueError) as e:
        raise SourceError(path, 1, 0, f"cannot parse: {type(e).__name__}: {e}", "syntax") from None


def load_script(path: str) -> tuple[str, ast.Module]:
    """A script to run: it must exist and be a .py file; its text and tree, or a one-line error."""
    if not os.path.exists(path):
        raise OptadviseError(f"{path}: no such file")
    if os.path.isdir(path):
        raise OptadviseError(f"{path}: is a directory, not a Python script")
    if not path.endswith(PY_SUFFIXES):
        raise OptadviseError(f"{path}: not a Python file (expected a .py script)")
    raw, encoding = read_raw(path)
    source = decode(path, raw, encoding)
    return source, parse(path, source, raw)
