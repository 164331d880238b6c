"""Writing a verified source back into the user's script: atomically, or not at all.

`OriginalFile.read` remembers the exact bytes a command decided on; `encode_source` turns new text into
bytes the way the original was stored (its PEP 263 encoding, its BOM, its line endings), so the bytes
that were verified are the bytes that are written; `write_atomic` refuses read-only files and files
that changed on disk since they were read, follows symlinks, and replaces the target in one
`os.replace` of a fully written, fsynced temp file in the same directory.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import stat
import tempfile
from dataclasses import dataclass

from optadvise.errors import OptadviseError
from optadvise.source import read_raw


@dataclass(frozen=True)
class OriginalFile:
    """The script as read: path, raw bytes, their hash, and the encoding they were decoded with."""

    path: str
    raw: bytes
    sha256: str
    encoding: str

    @classmethod
    def read(cls, path: str) -> OriginalFile:
        raw, encoding = read_raw(path)
        return cls(path, raw, hashlib.sha256(raw).hexdigest(), encoding)

    @property
    def text(self) -> str:
        return self.raw.decode(self.encoding)


def _newline_of(raw: bytes) -> str | None:
    """'\\r\\n' when every line of the original ends so, else None (keep the new text's endings)."""
    crlf = raw.count(b"\r\n")
    return "\r\n" if crlf and crlf == raw.count(b"\n") else None


def encode_source(text: str, like: OriginalFile) -> bytes:
    """`text` as bytes stored like the original: same encoding and BOM, CRLF kept if it used CRLF."""
    if _newline_of(like.raw) == "\r\n":
        text = re.sub(r"(?<!\r)\n", "\r\n", text)
    encoding = like.encoding
    if encoding == "utf-8" and like.raw.startswith(codecs.BOM_UTF8):  # pragma: no cover - detect says -sig
        encoding = "utf-8-sig"
    if encoding == "utf-8-sig" and text.startswith("\ufeff"):
        text = text[1:]
    try:
        return text.encode(encoding)
    except UnicodeEncodeError as e:
        raise OptadviseError(f"{like.path}: the rewritten source cannot be stored in its encoding "
                             f"{encoding} ({e.reason})") from None


def write_atomic(original: OriginalFile, data: bytes) -> str:
    """Replace the script's contents with `data` atomically; return the path written (symlink target).

    Raises OptadviseError (and leaves the file untouched) when the file is read-only, changed since it
    was read, or cannot be written."""
    target = os.path.realpath(original.path)
    try:
        st = os.stat(target)
    except OSError as e:
        raise OptadviseError(f"{original.path}: cannot write: {e.strerror}") from None
    if not stat.S_ISREG(st.st_mode):
        raise OptadviseError(f"{original.path}: not a regular file; not written")
    if not os.access(target, os.W_OK):  # the OS's answer for this user (root may write mode 0444)
        raise OptadviseError(f"{original.path}: file is read-only; not written (make it writable, or "
                             f"apply the diff by hand)")
    with open(target, "rb") as fh:
        now = hashlib.sha256(fh.read()).hexdigest()
    if now != original.sha256:
        raise OptadviseError(f"{original.path}: changed on disk since optadvise read it; not written "
                             f"(run fix again)")
    directory = os.path.dirname(target) or "."
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(target)}.",
                                   suffix=".optadvise-tmp")
    except OSError as e:
        raise OptadviseError(f"{original.path}: cannot write a temporary file in {directory}: "
                             f"{e.strerror}; not written") from None
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, stat.S_IMODE(st.st_mode))
        with open(target, "rb") as fh:  # last look just before the swap
            if hashlib.sha256(fh.read()).hexdigest() != original.sha256:
                raise OptadviseError(f"{original.path}: changed on disk since optadvise read it; "
                                     f"not written (run fix again)")
        os.replace(tmp, target)
    except BaseException as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(e, OSError):
            raise OptadviseError(f"{original.path}: cannot write: {e.strerror or e}; file untouched") from None
        raise
    try:
        dfd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass
    return target
