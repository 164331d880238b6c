"""Function-level verification copies the real arguments only up to `function_harness.CAPTURE_CAP`.

The arrays are lazy (`np.broadcast_to` of one element: `nbytes` above the cap, 8 bytes in memory), so
a deep copy would materialise them: a harness that honours the cap keeps its peak RSS small. The child
runs under an address-space limit so a regression cannot exhaust the test machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from optadvise.verify.function_harness import CAPTURE_CAP
from optadvise.verify.messages import FunctionResult, FunctionSpec, read_message, write_message

pytestmark = pytest.mark.slow

N = CAPTURE_CAP // 8 + 4_000_000  # float64 elements: just above the cap
LIMIT = 1 << 30  # bytes of address space for the harness child


def run_harness(tmp_path: Path, arg: str, access: str) -> tuple[FunctionResult, int]:
    script = textwrap.dedent(f"""\
        import numpy as np
        from types import SimpleNamespace


        def total(a):
            return float({access}[:10].sum())


        big = np.broadcast_to(np.ones(1), ({N},))  # nbytes above the capture cap, 8 bytes in memory
        print(total({arg}))
        """)
    (tmp_path / "s.py").write_text(script)
    (tmp_path / "c.py").write_text(script.replace(f"float({access}[:10].sum())",
                                                  f"float(np.sum({access}[:10]))"))
    spec = FunctionSpec(script=str(tmp_path / "s.py"), args=[], candidate=str(tmp_path / "c.py"),
                        function="total", rtol=1e-9, out=str(tmp_path / "r.json"))
    write_message(spec, str(tmp_path / "spec.json"))
    probe = ("import resource, subprocess, sys\n"
             "def lim():\n"
             f"    resource.setrlimit(resource.RLIMIT_AS, ({LIMIT}, {LIMIT}))\n"
             "p = subprocess.run([sys.executable, '-m', 'optadvise.verify.function_harness', sys.argv[1]],"
             " preexec_fn=lim, capture_output=True)\n"
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")
    out = subprocess.run([sys.executable, "-c", probe, str(tmp_path / "spec.json")], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120,
                         env={**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"})
    assert out.returncode == 0, out.stderr
    peak = int(out.stdout.split()[-1]) * (1 if sys.platform == "darwin" else 1024)
    return read_message(FunctionResult, spec.out), peak


def test_big_array_argument_is_not_copied(tmp_path: Path) -> None:
    result, peak = run_harness(tmp_path, "big", "a")
    assert result.status == "skipped" and "capture limit" in result.reason, result
    assert peak < 200 << 20, f"peak RSS {peak >> 20} MB: the argument was copied"


def test_big_array_inside_an_object_is_not_copied(tmp_path: Path) -> None:
    result, peak = run_harness(tmp_path, "SimpleNamespace(a=big)", "a.a")
    assert result.status == "skipped" and "capture limit" in result.reason, result
    assert peak < 200 << 20, f"peak RSS {peak >> 20} MB: the argument was copied"
