"""What `optadvise fix` costs: for each case of a corpus laid out like the shared one (case folders
holding `slow.py`, optional `setup.py`), the wall time of `optadvise fix slow.py` divided by the
plain run time of `slow.py` (the faster of two runs), then the median and the worst. Machine load
moves both, and not always together: compare figures taken on the same, preferably idle, machine.

usage: python benchmarks/fix_cost.py CASES_DIR [CASE ...]   (targets: median <= 6x, worst <= 12x)
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def _wall(argv: list[str], cwd: str) -> tuple[float, int]:
    t0 = time.perf_counter()
    rc = subprocess.run(argv, cwd=cwd, capture_output=True, timeout=3600).returncode
    return time.perf_counter() - t0, rc


def measure(case_dir: str) -> tuple[float, float, int]:
    """(plain run seconds, fix seconds, fix exit status) in a scratch copy of the case."""
    with tempfile.TemporaryDirectory(prefix="oa-fixcost-") as work:
        d = os.path.join(work, "case")
        shutil.copytree(case_dir, d)
        if os.path.exists(os.path.join(d, "setup.py")):
            subprocess.run([sys.executable, "setup.py"], cwd=d, check=True, capture_output=True)
        plain = min(_wall([sys.executable, "slow.py"], d)[0] for _ in range(2))
        fix_s, rc = _wall([sys.executable, "-m", "optadvise", "fix", "slow.py"], d)
        return plain, fix_s, rc


def main(argv: list[str]) -> int:
    if not argv or not os.path.isdir(argv[0]):
        print("usage: python benchmarks/fix_cost.py CASES_DIR [CASE ...]", file=sys.stderr)
        return 2
    root, names = argv[0], argv[1:] or sorted(os.listdir(argv[0]))
    ratios = []
    for name in names:
        case = os.path.join(root, name)
        if not os.path.exists(os.path.join(case, "slow.py")):
            continue
        plain, fix_s, rc = measure(case)
        ratios.append(fix_s / plain)
        print(f"{name:32s} plain {plain:7.2f} s  fix {fix_s:8.2f} s  {fix_s / plain:6.1f}x  (exit {rc})", flush=True)
    if ratios:
        print(f"fix_time_median={statistics.median(ratios):.1f}x worst={max(ratios):.1f}x over {len(ratios)} case(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
