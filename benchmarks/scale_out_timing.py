"""Local timing of the scale-out rewrite: threads, the process-pool remedy and its Dask version.

    python benchmarks/scale_out_timing.py [--runs 3] [--n 3000000] [--workers 2]

Builds a GIL-bound ThreadPoolExecutor script, rewrites it with the `processpool` rewriter and that
result with the `dask-pool` rewriter (a LocalCluster of --workers processes, as `fix --scale-out`
proposes when DASK_SCHEDULER_ADDRESS is unset), runs each --runs times and prints the median wall
time and whether each printed the same as the threaded original.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from optadvise.model import Finding
from optadvise.rewriters.dask_pool import DaskPoolRewriter
from optadvise.rewriters.processpool import ProcessPoolRewriter

SCRIPT = textwrap.dedent('''\
    from concurrent.futures import ThreadPoolExecutor


    def crunch(n):
        s = 0
        for k in range(n):
            s += k * k % 7
        return s


    if __name__ == "__main__":
        with ThreadPoolExecutor({workers}) as pool:
            print(list(pool.map(crunch, [{n}] * {jobs})))
''')


def timed(path: Path, runs: int) -> tuple[float, str]:
    """Median wall time of `python path` and what it printed."""
    times, out = [], ""
    for _ in range(runs):
        t = time.perf_counter()
        out = subprocess.run([sys.executable, str(path)], cwd=path.parent, capture_output=True, text=True,
                             check=True).stdout
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--n", type=int, default=3_000_000)
    ap.add_argument("--workers", type=int, default=2)
    opts = ap.parse_args()
    threaded = SCRIPT.format(workers=opts.workers, n=opts.n, jobs=2 * opts.workers)
    finding = Finding(rule="cpu-bound-threading", code="OA301", filename="bench.py", lineno=11, end_lineno=11,
                      function="<module>", message="", fixes=["processpool"])
    (pool,) = ProcessPoolRewriter().propose(threaded, finding, None)
    (dask,) = DaskPoolRewriter().propose(pool.new, finding, None)
    with tempfile.TemporaryDirectory() as tmp:
        rows = []
        for label, source in (("threads", threaded), ("process pool", pool.new), ("dask LocalCluster", dask.new)):
            path = Path(tmp) / f"bench_{len(rows)}.py"  # not dask.py: it would shadow the package
            path.write_text(source)
            rows.append((label, *timed(path, opts.runs)))
    base_out = rows[0][2]
    for label, seconds, out in rows:
        print(f"{label:18s} {seconds:7.2f} s  same output: {out == base_out}")


if __name__ == "__main__":
    main()
