"""Atomic apply: encoding, BOM and CRLF kept; read-only and changed-on-disk files refused; symlinks followed."""

import codecs
import os
import stat

import pytest

from optadvise.apply import OriginalFile, encode_source, write_atomic
from optadvise.errors import OptadviseError


def _apply(path, old, new):
    orig = OriginalFile.read(str(path))
    return write_atomic(orig, encode_source(orig.text.replace(old, new), orig))


def test_keeps_crlf_and_bom(tmp_path):
    p = tmp_path / "s.py"
    p.write_bytes(codecs.BOM_UTF8 + b"x = 1\r\nprint('\xc3\xa9', x)\r\n")
    orig = OriginalFile.read(str(p))
    assert orig.encoding == "utf-8-sig" and orig.text.startswith("x = 1\r\n")
    # a rewriter that emits bare \n lines still yields a CRLF file
    write_atomic(orig, encode_source(orig.text.replace("x = 1\r\n", "import numpy\nx = 2\n"), orig))
    assert p.read_bytes() == codecs.BOM_UTF8 + b"import numpy\r\nx = 2\r\nprint('\xc3\xa9', x)\r\n"


def test_keeps_declared_encoding_and_mode(tmp_path):
    p = tmp_path / "s.py"
    p.write_bytes("# -*- coding: latin-1 -*-\nname = 'caf\xe9'\n".encode("latin-1"))
    os.chmod(p, 0o750)
    _apply(p, "name", "label")
    assert p.read_bytes() == "# -*- coding: latin-1 -*-\nlabel = 'caf\xe9'\n".encode("latin-1")
    assert stat.S_IMODE(os.stat(p).st_mode) == 0o750
    assert sorted(os.listdir(tmp_path)) == ["s.py"]  # no temp file left


def test_refuses_read_only(tmp_path, make_read_only):
    p = tmp_path / "s.py"
    p.write_text("x = 1\n")
    make_read_only(p)
    with pytest.raises(OptadviseError, match="read-only"):
        _apply(p, "1", "2")
    assert p.read_text() == "x = 1\n" and sorted(os.listdir(tmp_path)) == ["s.py"]


def test_refuses_changed_on_disk(tmp_path):
    p = tmp_path / "s.py"
    p.write_text("x = 1\n")
    orig = OriginalFile.read(str(p))
    p.write_text("x = 3\n")
    with pytest.raises(OptadviseError, match="changed on disk"):
        write_atomic(orig, encode_source("x = 2\n", orig))
    assert p.read_text() == "x = 3\n" and sorted(os.listdir(tmp_path)) == ["s.py"]


def test_follows_symlink(tmp_path):
    real = tmp_path / "real.py"
    real.write_text("x = 1\n")
    link = tmp_path / "link.py"
    link.symlink_to(real)
    written = _apply(link, "1", "2")
    assert written == str(real.resolve())
    assert link.is_symlink() and real.read_text() == "x = 2\n"


def test_unencodable_rewrite_refused(tmp_path):
    p = tmp_path / "s.py"
    p.write_bytes(b"# coding: ascii\nx = 1\n")
    with pytest.raises(OptadviseError, match="encoding"):
        _apply(p, "x = 1", "x = '\u03c0'")
    assert p.read_bytes() == b"# coding: ascii\nx = 1\n"
