"""Overhead of `optadvise profile`: profiled wall time against a plain `python SCRIPT` run.

    python benchmarks/profile_overhead.py [EXTRA_SCRIPT.py ...] [--repeat 3]

Runs each examples/*.py, a call-heavy script (millions of calls of a small function, written to a
temporary folder), and any extra scripts given, plainly and under
`optadvise profile SCRIPT --format json`, `--repeat` times each (alternating, so load drift hits both
alike), and prints the median wall seconds of each, their ratio, and the median and worst ratio (targets:
median <= 1.3x, worst <= 2.0x).
Both are whole-command wall times as a user sees them: interpreter start-up and imports included.
BLAS/OpenMP pools are pinned to one thread in both runs (`--blas-threads N` to change): on a busy
2-core machine a spinning 2-thread OpenBLAS makes a matrix-vector loop 4x slower at random, which
swamps the overhead being measured.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET, WORST = 1.3, 2.0
CALL_HEAVY = """
def step(x):
    return x + 1


def run(n):
    s = 0
    for _ in range(n):
        s = step(s)
    return s


print(run(4_000_000))
"""


ENV = dict(os.environ)


def wall(argv: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, env=ENV, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {proc.returncode}:\n{proc.stderr[-2000:]}")
    return elapsed


def measure(script: Path, repeat: int) -> tuple[float, float]:
    plain_argv = [sys.executable, str(script)]
    prof_argv = [sys.executable, "-m", "optadvise", "profile", str(script), "--format", "json"]
    plain, prof = [], []
    wall(plain_argv, script.parent)  # warm the page cache and any on-disk caches once
    for _ in range(repeat):
        plain.append(wall(plain_argv, script.parent))
        prof.append(wall(prof_argv, script.parent))
    return statistics.median(plain), statistics.median(prof)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scripts", nargs="*", type=Path, help="extra scripts to time")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--blas-threads", type=int, default=1)
    opts = parser.parse_args()
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        ENV[var] = str(opts.blas_threads)
    tmp = Path(tempfile.mkdtemp(prefix="profile-overhead-"))
    (tmp / "call_heavy.py").write_text(CALL_HEAVY)
    scripts = (sorted((REPO / "examples").glob("*.py")) + [tmp / "call_heavy.py"]
               + [p.resolve() for p in opts.scripts])
    print(f"{'script':32} {'plain s':>9} {'profiled s':>11} {'ratio':>7}")
    ratios = []
    for script in scripts:
        plain, prof = measure(script, opts.repeat)
        ratios.append(prof / plain)
        name = script.relative_to(REPO) if script.is_relative_to(REPO) else script
        print(f"{str(name):32} {plain:9.2f} {prof:11.2f} {prof / plain:6.2f}x", flush=True)
    med, worst = statistics.median(ratios), max(ratios)
    print(f"{'median ratio':32} {'':9} {'':11} {med:6.2f}x  (target <= {TARGET}x: "
          f"{'met' if med <= TARGET else 'NOT met'})")
    print(f"{'worst ratio':32} {'':9} {'':11} {worst:6.2f}x  (target <= {WORST}x: "
          f"{'met' if worst <= WORST else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
