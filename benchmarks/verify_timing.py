"""Timing figures of the verifier, which the unit tests in tests/verify deliberately do not assert.

    python benchmarks/verify_timing.py [--runs 3] [--n 2000000]

Verifies three candidates for a script that sums an N-element array with a Python loop: the loop
replaced by `np.sum` (a real speedup), the script unchanged but for a space (the noise floor: its
"speedup" should be close to 1x), and the loop under `numba.njit(cache=True)` (compile time reported
apart from the steady state). Prints each verdict's speedup, median times, compile time and reason.
"""

from __future__ import annotations

import argparse
import tempfile
import textwrap
from pathlib import Path

import numpy as np

from optadvise.model import Candidate
from optadvise.verify import Verifier

SCRIPT = textwrap.dedent('''\
    import sys

    import numpy as np


    def total(x):
        s = 0.0
        for i in range(x.shape[0]):
            s += x[i]
        return s


    print(f"total {total(np.load(sys.argv[1])):.6f}")
    ''')
LOOP = "    s = 0.0\n    for i in range(x.shape[0]):\n        s += x[i]\n    return s"
CANDIDATES = {
    "np.sum": ("vectorize", [(LOOP, "    return np.sum(x)")]),
    "unchanged": ("vectorize", [("s = 0.0", "s  = 0.0")]),
    "numba": ("numba", [("import numpy as np\n", "import numba\nimport numpy as np\n"),
                        ("def total(x):", "@numba.njit(cache=True)\ndef total(x):")]),
}


def candidate(kind: str, pairs: list[tuple[str, str]]) -> Candidate:
    new = SCRIPT
    for old, repl in pairs:
        new = new.replace(old, repl)
    return Candidate(rule="loop-over-ndarray", kind=kind, function="total", filename="slow.py", lineno=1,
                     description="benchmark candidate", original=SCRIPT, new=new, rtol=1e-9)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3, help="timed runs per candidate (default 3)")
    ap.add_argument("--n", type=int, default=2_000_000, help="array length (default 2,000,000)")
    opts = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        np.save(Path(d) / "x.npy", np.arange(opts.n, dtype=np.float64) * 0.5)
        (Path(d) / "slow.py").write_text(SCRIPT)
        with Verifier("slow.py", ["x.npy"], timeout=600, cwd=d, runs=opts.runs) as v:
            print(f"{'candidate':<10} {'speedup':>8} {'original s':>11} {'candidate s':>12} {'compile s':>10}  verdict")
            for name, (kind, pairs) in CANDIDATES.items():
                r = v.verify(candidate(kind, pairs), min_speedup=1.1)
                cells = [f"{x:.3f}" if x is not None else "-" for x in
                         (r.speedup, r.t_original_s, r.t_candidate_s, r.compile_s)]
                print(f"{name:<10} {cells[0]:>8} {cells[1]:>11} {cells[2]:>12} {cells[3]:>10}  {r.reason}")


if __name__ == "__main__":
    main()
