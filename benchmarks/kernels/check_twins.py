#!/usr/bin/env python3
"""Run every slow.py/fast.py pair in this folder, check their outputs agree, print the limit speedup.

usage: python check_twins.py [--runs N] [--python PY] [CASE ...]
Outputs are compared with shared/corpus/outputs.py (same_output, meta.toml's rtol, default 1e-6);
the corpus folder is $CORPUS_DIR, else the first shared/corpus found beside the checkout or a folder above it.
Exit status 1 if any pair disagrees or fails.
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import time

try:
    import tomllib
except ImportError:  # Python 3.10: the project depends on tomli there
    import tomli as tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "cases")


def _find_corpus():
    cands = [os.environ.get("CORPUS_DIR", "")]
    up = HERE
    while os.path.dirname(up) != up:  # shared/ beside the checkout, or beside any folder above it
        up = os.path.dirname(up)
        cands.append(os.path.join(up, "shared", "corpus"))
    for c in cands:
        if c and os.path.exists(os.path.join(c, "outputs.py")):
            return os.path.abspath(c)
    sys.exit("cannot find shared/corpus/outputs.py: set CORPUS_DIR")


sys.path.insert(0, _find_corpus())
from outputs import same_output  # noqa: E402


def run(py, script, cwd, runs):
    """Median wall time and median CPU time (user+sys of the child: steadier on a shared machine)."""
    times, cpus, out = [], [], None
    for _ in range(runs):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        p = subprocess.run([py, script], cwd=cwd, capture_output=True, text=True, timeout=600, check=False)
        times.append(time.perf_counter() - t)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime)
        if p.returncode != 0:
            return None, p.stderr[-300:], statistics.median(times), statistics.median(cpus)
        out = p.stdout if out is None else out
    return out, "", statistics.median(times), statistics.median(cpus)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("cases", nargs="*")
    a = ap.parse_args()
    names = sorted(d for d in os.listdir(CASES) if os.path.isfile(os.path.join(CASES, d, "meta.toml")))
    if a.cases:
        names = [n for n in names if n in a.cases or any(n.startswith(c) for c in a.cases)]
    bad = 0
    print(f"{'case':24s} {'slow_s':>7s} {'fast_s':>7s} {'limit':>7s} {'slow_cpu':>8s} {'fast_cpu':>8s} "
          f"{'cpu_lim':>7s}  fixable  result")
    for name in names:
        d = os.path.join(CASES, name)
        with open(os.path.join(d, "meta.toml"), "rb") as fh:
            meta = tomllib.load(fh)
        rtol = meta.get("rtol", 1e-6)
        out_s, err_s, t_s, c_s = run(a.python, "slow.py", d, a.runs)
        out_f, err_f, t_f, c_f = run(a.python, "fast.py", d, a.runs)
        if out_s is None or out_f is None:
            ok, why = False, f"crashed: {(err_s or err_f).strip()}"
        else:
            ok, why = same_output(out_s, out_f, rtol=rtol)
        bad += not ok
        print(f"{name:24s} {t_s:7.2f} {t_f:7.2f} {t_s / t_f:6.1f}x {c_s:8.2f} {c_f:8.2f} {c_s / max(c_f, 1e-3):6.1f}x  "
              f"{meta.get('fixable')!s:7s}  "
              f"{'ok' if ok else 'DIFF ' + why}", flush=True)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
