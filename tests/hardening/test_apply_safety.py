"""The atomic writer behind `fix --apply` (optadvise.apply), called directly on real files.

Never a half-written or silently reformatted file: read-only files and files changed since they were
read are refused untouched; a symlink's target is written and the link stays a link; CRLF, a UTF-8 BOM,
a PEP 263 coding and tab indentation survive, and only the edited bytes change.
"""

from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path

import libcst
import pytest

from optadvise.apply import OriginalFile, encode_source, write_atomic
from optadvise.errors import OptadviseError

BODY = ("import numpy as np\n\n\ndef sumsq(x):\n\ts = 0.0\n\tfor i in range(x.size):\n\t\ts += x[i] * x[i]\n"
        "\treturn s\n\n\nprint(sumsq(np.ones(10)))  # trailing comment\n")
OLD_LOOP = "\ts = 0.0\n\tfor i in range(x.size):\n\t\ts += x[i] * x[i]\n"
NEW_LOOP = "\ts = float(np.dot(x, x))\n"


def temps(d: Path) -> list[str]:
    return [p.name for p in d.iterdir() if "optadvise" in p.name]


def edit(text: str) -> str:
    """The kind of change a rewriter makes: one function body's loop replaced, in the decoded text."""
    nl = "\n" if OLD_LOOP in text else "\r\n"
    old = OLD_LOOP.replace("\n", nl)
    assert text.count(old) == 1
    return text.replace(old, NEW_LOOP.replace("\n", nl))


def roundtrip(tmp_path: Path, raw: bytes, name: str = "s.py") -> tuple[Path, bytes]:
    p = tmp_path / name
    p.write_bytes(raw)
    orig = OriginalFile.read(str(p))
    assert encode_source(orig.text, orig) == raw  # a no-op rewrite writes back the same bytes
    write_atomic(orig, encode_source(edit(orig.text), orig))
    assert not temps(tmp_path)
    return p, p.read_bytes()


def test_read_only_file_refused_untouched(tmp_path: Path, make_read_only) -> None:
    p = tmp_path / "s.py"
    p.write_text(BODY)
    make_read_only(p)
    before = p.read_bytes()
    orig = OriginalFile.read(str(p))
    with pytest.raises(OptadviseError, match="read-only"):
        write_atomic(orig, encode_source(edit(orig.text), orig))
    assert p.read_bytes() == before
    assert stat.S_IMODE(p.stat().st_mode) == 0o444
    assert not temps(tmp_path)


def test_changed_on_disk_refused(tmp_path: Path) -> None:
    p = tmp_path / "s.py"
    p.write_text(BODY)
    orig = OriginalFile.read(str(p))
    changed = BODY + "print('edited by the user meanwhile')\n"
    p.write_text(changed)  # the user saves in the editor between profile and write
    with pytest.raises(OptadviseError, match="changed on disk"):
        write_atomic(orig, encode_source(edit(orig.text), orig))
    assert p.read_text() == changed
    assert not temps(tmp_path)


def test_same_size_same_mtime_change_still_detected(tmp_path: Path) -> None:
    p = tmp_path / "s.py"
    p.write_text(BODY)
    st = p.stat()
    orig = OriginalFile.read(str(p))
    p.write_text(BODY.replace("10", "11"))  # same length
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))  # and the same mtime: only a hash can tell
    with pytest.raises(OptadviseError, match="changed on disk"):
        write_atomic(orig, encode_source(edit(orig.text), orig))
    assert "11" in p.read_text()


def test_symlink_target_written_link_kept(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    target = real / "s.py"
    target.write_text(BODY)
    link = tmp_path / "link.py"
    link.symlink_to(target)
    orig = OriginalFile.read(str(link))
    written = write_atomic(orig, encode_source(edit(orig.text), orig))
    assert written == str(target.resolve())
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text() == edit(BODY)
    assert not temps(tmp_path) and not temps(real)


def test_mode_preserved(tmp_path: Path) -> None:
    p = tmp_path / "s.py"
    p.write_text(BODY)
    p.chmod(0o750)
    orig = OriginalFile.read(str(p))
    write_atomic(orig, encode_source(edit(orig.text), orig))
    assert stat.S_IMODE(p.stat().st_mode) == 0o750


def test_crlf_kept_and_only_edit_changes(tmp_path: Path) -> None:
    raw = BODY.replace("\n", "\r\n").encode()
    _, new = roundtrip(tmp_path, raw)
    assert new == edit(BODY).replace("\n", "\r\n").encode()
    assert new.count(b"\n") == new.count(b"\r\n")


def test_crlf_file_gets_crlf_for_lf_inserted_lines(tmp_path: Path) -> None:
    raw = BODY.replace("\n", "\r\n").encode()
    p = tmp_path / "s.py"
    p.write_bytes(raw)
    orig = OriginalFile.read(str(p))
    new_text = "import numba\n" + orig.text  # a rewriter adding an import with a bare LF
    write_atomic(orig, encode_source(new_text, orig))
    assert p.read_bytes() == b"import numba\r\n" + raw


def test_mixed_line_endings_left_alone(tmp_path: Path) -> None:
    raw = BODY.replace("\n", "\r\n", 3).encode()
    _, new = roundtrip(tmp_path, raw)
    assert new == edit(BODY.replace("\n", "\r\n", 3)).encode()


def test_utf8_bom_kept(tmp_path: Path) -> None:
    raw = codecs.BOM_UTF8 + ("# café ünïcode\n" + BODY).encode()
    _, new = roundtrip(tmp_path, raw)
    assert new == codecs.BOM_UTF8 + ("# café ünïcode\n" + edit(BODY)).encode()


def test_pep263_latin1_kept_and_unencodable_refused(tmp_path: Path) -> None:
    raw = ("# -*- coding: latin-1 -*-\n# caf\xe9\n" + BODY).encode("latin-1")
    p, new = roundtrip(tmp_path, raw)
    assert new == ("# -*- coding: latin-1 -*-\n# caf\xe9\n" + edit(BODY)).encode("latin-1")
    orig = OriginalFile.read(str(p))
    with pytest.raises(OptadviseError, match="encoding"):
        encode_source(orig.text + "# \u2603\n", orig)
    assert p.read_bytes() == new


def test_tabs_and_outside_bytes_identical_through_libcst(tmp_path: Path) -> None:
    """A libcst edit of one statement keeps every other byte: tabs, comments, blank lines."""
    p = tmp_path / "s.py"
    p.write_bytes(BODY.encode())
    orig = OriginalFile.read(str(p))

    class Double(libcst.CSTTransformer):
        def leave_Float(self, node: libcst.Float, updated: libcst.Float) -> libcst.Float:
            return updated.with_changes(value="0.5") if node.value == "0.0" else updated

    new_text = libcst.parse_module(orig.text).visit(Double()).code
    write_atomic(orig, encode_source(new_text, orig))
    assert p.read_bytes() == BODY.replace("s = 0.0", "s = 0.5").encode()


def test_failed_write_leaves_original_and_no_temp(tmp_path: Path) -> None:
    p = tmp_path / "s.py"
    p.write_text(BODY)
    orig = OriginalFile.read(str(p))
    with pytest.raises(TypeError):
        write_atomic(orig, "not bytes")  # type: ignore[arg-type]  # fails inside the temp-file write
    assert p.read_text() == BODY
    assert not temps(tmp_path)


def test_not_a_regular_file_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.py"
    os.mkfifo(fifo)
    orig = OriginalFile(str(fifo), b"", "", "utf-8")
    with pytest.raises(OptadviseError, match="not a regular file"):
        write_atomic(orig, b"x = 1\n")
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
