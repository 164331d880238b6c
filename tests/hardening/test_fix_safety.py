"""`optadvise fix --apply` end to end on awkward files, and interrupted with SIGINT at random moments.

The real CLI runs in a child process (tests/hardening/launch_fix.py) with a plain text-replacement
rewriter, so every other step is the product's: profile, verification runs, timing, encoding and the
atomic write. The file ends as the original bytes or the complete verified rewrite, nothing between.
"""

from __future__ import annotations

import codecs
import json
import os
import random
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from optadvise.errors import EXIT_OK, EXIT_USAGE

from .util import DOCUMENTED_EXITS, assert_no_own_traceback, kill_pids, listing, wait_gone

pytestmark = pytest.mark.slow

LAUNCH = Path(__file__).with_name("launch_fix.py")
N = 400_000
SCRIPT = f"""import numpy as np


def sumsq(x):
    s = 0.0
    for i in range(x.size):
        s += x[i] * x[i]
    return s


x = np.linspace(0.0, 1.0, {N})
print(f"{{sumsq(x):.6f}}")  # café
"""
OLD = "    s = 0.0\n    for i in range(x.size):\n        s += x[i] * x[i]\n"
NEW = "    s = float(np.dot(x, x))\n"


def start(proj: Path, systmp: Path, script: str, *extra: str, old: str = OLD, new: str = NEW,
          env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(LAUNCH), "fix", script, "--apply", "--format", "json", "--timeout", "30",
         "--min-speedup", "1.0", *extra],
        cwd=proj, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "TMPDIR": str(systmp), "OA_TEST_EDIT": json.dumps([old, new]), **(env or {})})


def fix(tmp_path: Path, raw: bytes, name: str = "loop.py", **kw) -> tuple[subprocess.CompletedProcess, Path]:
    proj, systmp = tmp_path / "proj", tmp_path / "systmp"
    proj.mkdir(exist_ok=True)
    systmp.mkdir(exist_ok=True)
    p = proj / name
    if not p.is_symlink():
        p.write_bytes(raw)
    proc = start(proj, systmp, name, **kw)
    out, err = proc.communicate(timeout=120)
    done = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    assert done.returncode in DOCUMENTED_EXITS, (done.returncode, err[-3000:])
    assert_no_own_traceback(done)
    assert not list(systmp.iterdir()), list(systmp.iterdir())
    assert not [f for f in listing(proj) if "optadvise" in f], listing(proj)
    return done, p


def expect_applied(done: subprocess.CompletedProcess) -> dict:
    assert done.returncode == EXIT_OK, (done.stdout[-3000:], done.stderr[-3000:])
    doc = json.loads(done.stdout)
    assert doc["written"]
    return doc


def test_crlf_bom_file_keeps_bytes_outside_the_edit(tmp_path: Path) -> None:
    raw = codecs.BOM_UTF8 + SCRIPT.replace("\n", "\r\n").encode()
    done, p = fix(tmp_path, raw)
    expect_applied(done)
    assert p.read_bytes() == codecs.BOM_UTF8 + SCRIPT.replace(OLD, NEW).replace("\n", "\r\n").encode()


def test_tab_indented_file_keeps_tabs(tmp_path: Path) -> None:
    tabbed = SCRIPT.replace("        ", "\t\t").replace("    ", "\t")
    old, new = OLD.replace("        ", "\t\t").replace("    ", "\t"), NEW.replace("    ", "\t")
    done, p = fix(tmp_path, tabbed.encode(), old=old, new=new)
    expect_applied(done)
    assert p.read_bytes() == tabbed.replace(old, new).encode()


def test_symlink_stays_a_link(tmp_path: Path) -> None:
    (tmp_path / "proj").mkdir()
    real = tmp_path / "real.py"
    real.write_bytes(SCRIPT.encode())
    (tmp_path / "proj" / "loop.py").symlink_to(real)
    done, p = fix(tmp_path, b"")
    doc = expect_applied(done)
    assert p.is_symlink() and os.readlink(p) == str(real)
    assert real.read_bytes() == SCRIPT.replace(OLD, NEW).encode()
    assert doc["written"] == str(real)


def test_read_only_refused(tmp_path: Path, make_read_only) -> None:
    proj = tmp_path / "proj"
    proj.mkdir()
    p = proj / "loop.py"
    p.write_bytes(SCRIPT.encode())
    make_read_only(p)
    (tmp_path / "systmp").mkdir()
    proc = start(proj, tmp_path / "systmp", "loop.py")
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == EXIT_USAGE, (out[-2000:], err[-2000:])
    assert "read-only" in err and "Traceback" not in err
    assert p.read_bytes() == SCRIPT.encode() and stat.S_IMODE(p.stat().st_mode) == 0o444
    assert sorted(os.listdir(proj)) == ["loop.py"] and not os.listdir(tmp_path / "systmp")


def test_changed_between_profile_and_write_refused(tmp_path: Path) -> None:
    done, p = fix(tmp_path, SCRIPT.encode(), env={"OA_TEST_TOUCH_BEFORE_WRITE": "1"})
    assert done.returncode == EXIT_USAGE, done.stderr[-3000:]
    assert "changed on disk" in done.stderr
    assert p.read_bytes() == SCRIPT.encode() + b"# saved in an editor meanwhile\n"


def _descendants(pid: int) -> list[int]:
    try:
        return [c.pid for c in psutil.Process(pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def test_sigint_at_random_moments_leaves_old_or_new_file(tmp_path: Path) -> None:
    """~8 tries: SIGINT after a random delay while fix --apply runs (profile, verification, write)."""
    proj, systmp = tmp_path / "proj", tmp_path / "systmp"
    proj.mkdir()
    systmp.mkdir()
    p = proj / "loop.py"
    old_bytes, new_bytes = SCRIPT.encode(), SCRIPT.replace(OLD, NEW).encode()
    # how long an uninterrupted run takes here, to spread the signals over it
    p.write_bytes(old_bytes)
    t = time.monotonic()
    proc = start(proj, systmp, "loop.py")
    proc.communicate(timeout=120)
    full = time.monotonic() - t
    assert p.read_bytes() == new_bytes, "the uninterrupted run must apply exactly the rewrite"
    assert sorted(os.listdir(proj)) == ["loop.py"] and not os.listdir(systmp)
    rng = random.Random(8)
    outcomes = []
    for _ in range(8):
        p.write_bytes(old_bytes)
        proc = start(proj, systmp, "loop.py")
        seen: set[int] = set()
        deadline = time.monotonic() + rng.uniform(0.3, full * 1.05)
        while time.monotonic() < deadline and proc.poll() is None:
            seen.update(_descendants(proc.pid))
            time.sleep(0.02)
        if proc.poll() is None:
            seen.update(_descendants(proc.pid))
            proc.send_signal(signal.SIGINT)
        try:
            out, err = proc.communicate(timeout=30)
        finally:
            proc.kill()
        data = p.read_bytes()
        assert data in (old_bytes, new_bytes), data[:300]
        outcomes.append((proc.returncode, data == new_bytes))
        # 130: optadvise caught the interrupt; -SIGINT: it landed while the interpreter was still
        # starting, before Python installs its handler (nothing was read or written yet)
        assert proc.returncode in DOCUMENTED_EXITS | {130, -signal.SIGINT}, (proc.returncode, err[-2000:])
        if proc.returncode == 130:
            assert "interrupted" in err
        assert_no_own_traceback(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
        assert sorted(os.listdir(proj)) == ["loop.py"], os.listdir(proj)
        assert not os.listdir(systmp), os.listdir(systmp)
        alive = wait_gone(list(seen))
        kill_pids(alive)
        assert not alive, f"processes left running after SIGINT: {alive}"
    assert any(code == 130 for code, _ in outcomes), outcomes  # the signals did land mid-run
