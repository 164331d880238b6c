"""Real code: `optadvise check` and the libcst/encoder round trip over the installed numpy, scipy and
numba sources (read in place, never copied or imported), plus mutated real files fed to `check`.

A deterministic sample keeps this quick; `python benchmarks/roundtrip_corpus.py` does every file.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optadvise.commands.check import check_file
from optadvise.rules import RULES

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "roundtrip_corpus.py"
_spec = importlib.util.spec_from_file_location("roundtrip_corpus", BENCH)
corpus = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("roundtrip_corpus", corpus)  # its dataclasses look their module up
_spec.loader.exec_module(corpus)  # type: ignore[union-attr]

ALL = corpus.package_files()


def test_corpus_is_the_real_thing() -> None:
    assert len(ALL) > 1500, len(ALL)  # numpy + scipy + numba are ~2200 files
    assert all(Path(f).is_file() for f in ALL[::97])


def test_libcst_and_encoder_round_trip_byte_identical() -> None:
    files = ALL[::20]
    res = corpus.run(files, do_check=False)
    assert res.files >= 100
    assert not res.roundtrip_failures, res.roundtrip_failures


def test_check_has_no_internal_errors_in_process() -> None:
    files = ALL[::3]
    res = corpus.run(files, jobs=2, do_roundtrip=False)
    assert res.check_files == len(files) and res.check_lines > 200_000
    assert not res.internal_errors, res.internal_errors
    assert not res.parse_errors, res.parse_errors  # the installed trees are all valid Python 3.11


@pytest.mark.slow
def test_check_cli_json_on_real_files() -> None:
    files = ALL[1::40]
    proc = subprocess.run([sys.executable, "-m", "optadvise", "check", *files, "--output-format", "json",
                           "--exit-zero", "--no-config"], capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr[-3000:]
    doc = json.loads(proc.stdout)
    assert doc["summary"]["files"] == len(files)
    assert doc["summary"]["crashes"] == 0 and doc["errors"] == []
    assert "Traceback" not in proc.stderr


# ------------------------------------------------------------------- mutated real files (fuzz)

SEEDS = [f for f in ALL[::60] if 500 < Path(f).stat().st_size < 60_000][:20]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    raw = Path(draw(st.sampled_from(SEEDS))).read_bytes()
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(raw)))
        op = draw(st.sampled_from(["cut", "insert", "dup", "truncate"]))
        if op == "cut":
            raw = raw[:at] + raw[at + draw(st.integers(1, 200)):]
        elif op == "insert":
            raw = raw[:at] + draw(st.sampled_from(
                [b"(", b")", b"\x00", b"\xff\xfe", b"\t", b"\r", b"  ", b"for i in range(x.size):\n",
                 b"lambda", b"'''", b"\\", b"[" * 200, b"# -*- coding: latin-1 -*-\n"])) + raw[at:]
        elif op == "dup":
            raw = raw[:at] + raw[max(0, at - 300):at] + raw[at:]
        else:
            raw = raw[:at]
    return raw


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          derandomize=True)
@given(src=mutated())
def test_check_never_crashes_on_mutated_real_files(tmp_path_factory: pytest.TempPathFactory,
                                                   src: bytes) -> None:
    p = tmp_path_factory.mktemp("fuzz") / "mutant.py"
    p.write_bytes(src)
    fr = check_file(str(p), RULES)
    crashes = [str(e) for e in fr.errors if e.kind == "internal"]
    assert not crashes, crashes
    assert all(e.kind in ("syntax", "decode", "io") for e in fr.errors), fr.errors
