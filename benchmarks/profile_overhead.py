"""Overhead of `optadvise profile`: profiled wall time against a plain `python SCRIPT` run.

    python benchmarks/profile_overhead.py [EXTRA_SCRIPT.py ...] [--repeat 3] [--corpus CASES_DIR]

Runs each examples/*.py, two call-heavy scripts (4 and 16 million calls of a small function, written
to a temporary folder), the `slow.py` of every case of a corpus laid out like the shared one (copied to
a scratch folder, its `setup.py` run first, untimed), and any extra scripts given, plainly and under
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
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET, WORST = 1.3, 2.0
CALL_HEAVY = """
import sys


def step(x):
    return x + 1


def run(n):
    s = 0
    for _ in range(n):
        s = step(s)
    return s


print(run(int(sys.argv[1])))
"""
CALLS = (4_000_000, 16_000_000)


ENV = dict(os.environ)


def wall(argv: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, env=ENV, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {proc.returncode}:\n{proc.stderr[-2000:]}")
    return elapsed


def measure(script: Path, args: list[str], repeat: int) -> tuple[float, float]:
    plain_argv = [sys.executable, str(script), *args]
    prof_argv = [sys.executable, "-m", "optadvise", "profile", str(script), *args, "--format", "json"]
    plain, prof = [], []
    wall(plain_argv, script.parent)  # warm the page cache and any on-disk caches once
    for _ in range(repeat):
        plain.append(wall(plain_argv, script.parent))
        prof.append(wall(prof_argv, script.parent))
    return statistics.median(plain), statistics.median(prof)


def corpus_scripts(cases: Path, scratch: Path) -> list[tuple[str, Path, list[str]]]:
    """Each case's slow.py in a scratch copy, its setup.py (if any) run there first."""
    out = []
    for case in sorted(p for p in cases.iterdir() if (p / "slow.py").exists()):
        work = scratch / case.name
        shutil.copytree(case, work)
        if (work / "setup.py").exists():
            subprocess.run([sys.executable, "setup.py"], cwd=work, env=ENV, check=True, capture_output=True)
        out.append((f"{cases.name}/{case.name}", work / "slow.py", []))
    return out


def report(label: str, ratios: list[float]) -> None:
    med, worst = statistics.median(ratios), max(ratios)
    print(f"{label + ' median':40} {'':9} {'':11} {med:6.2f}x  (target <= {TARGET}x: "
          f"{'met' if med <= TARGET else 'NOT met'})")
    print(f"{label + ' worst':40} {'':9} {'':11} {worst:6.2f}x  (target <= {WORST}x: "
          f"{'met' if worst <= WORST else 'NOT met'})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scripts", nargs="*", type=Path, help="extra scripts to time")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--blas-threads", type=int, default=1)
    parser.add_argument("--corpus", type=Path, help="a folder of cases laid out like the shared corpus")
    opts = parser.parse_args()
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        ENV[var] = str(opts.blas_threads)
    tmp = Path(tempfile.mkdtemp(prefix="profile-overhead-"))
    heavy = tmp / "call_heavy.py"
    heavy.write_text(CALL_HEAVY)
    sets: dict[str, list[tuple[str, Path, list[str]]]] = {
        "examples": [(f"examples/{p.name}", p, []) for p in sorted((REPO / "examples").glob("*.py"))],
        "call-heavy": [(f"call_heavy.py {n:_}", heavy, [str(n)]) for n in CALLS],
    }
    if opts.corpus:
        sets["corpus"] = corpus_scripts(opts.corpus.resolve(), tmp)
    if opts.scripts:
        sets["extra"] = [(str(p), p.resolve(), []) for p in opts.scripts]
    print(f"{'script':40} {'plain s':>9} {'profiled s':>11} {'ratio':>7}")
    ratios: dict[str, list[float]] = {}
    for label, scripts in sets.items():
        for name, script, args in scripts:
            plain, prof = measure(script, args, opts.repeat)
            ratios.setdefault(label, []).append(prof / plain)
            print(f"{name:40} {plain:9.2f} {prof:11.2f} {prof / plain:6.2f}x", flush=True)
    for label, values in ratios.items():
        report(label, values)
    report("all", [r for values in ratios.values() for r in values])
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
