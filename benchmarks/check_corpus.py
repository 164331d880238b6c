"""Benchmark `optadvise check` on the installed NumPy and SciPy sources (read in place, never imported).

    python benchmarks/check_corpus.py [--jobs N] [--sample 30] [--seed 0] [PATH ...]

Prints files, lines, wall time, lines/second, findings per rule, parse errors and crashes (internal
errors of the index or a rule: the target is zero), then a deterministic sample of findings with their
source lines so a human can judge precision. Target: the whole tree within 15 s on 2 cores.
"""

from __future__ import annotations

import argparse
import collections
import importlib.util
import os
import random
import resource
import sys

from optadvise.commands.check import check_paths
from optadvise.config import Config


def package_dir(name: str) -> str:
    """Where an installed package's sources live (found without importing it)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.origin:
        raise SystemExit(f"{name} is not installed")
    return os.path.dirname(spec.origin)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paths", nargs="*", help="default: the installed numpy and scipy packages")
    ap.add_argument("--jobs", "-j", type=int, default=None, help="worker processes (default: all cores)")
    ap.add_argument("--sample", type=int, default=30, help="findings to print for a precision review")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    paths = args.paths or [package_dir("numpy"), package_dir("scipy")]

    result = check_paths(paths, Config(), jobs=args.jobs)
    cpu = sum(getattr(resource.getrusage(who), f) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
              for f in ("ru_utime", "ru_stime"))
    by_rule = collections.Counter(f"{f.code} {f.rule}" for f in result.findings)
    kinds = collections.Counter(e.kind for e in result.errors)
    print(f"paths:      {' '.join(paths)}")
    print(f"cores:      {os.cpu_count()}  jobs: {args.jobs or os.cpu_count()}")
    print(f"files:      {result.files}")
    print(f"lines:      {result.lines}")
    print(f"wall:       {result.seconds:.2f} s")
    print(f"lines/s:    {result.lines / max(result.seconds, 1e-9):,.0f}")
    print(f"cpu:        {cpu:.2f} s (all processes; wall/cpu shows how busy the cores were)")
    print(f"findings:   {len(result.findings)}  (suppressed {result.suppressed})")
    for name, n in sorted(by_rule.items()):
        print(f"  {name}: {n}")
    print(f"unparsable: {sum(n for k, n in kinds.items() if k != 'internal')} {dict(kinds)}")
    print(f"crashes:    {len(result.crashes)}")
    for e in result.crashes:
        print(f"  {e}")
    for e in result.errors:
        if e.kind != "internal":
            print(f"  {e}")
    if args.sample and result.findings:
        picked = sorted(random.Random(args.seed).sample(range(len(result.findings)),
                                                        min(args.sample, len(result.findings))))
        print(f"\nsample of {len(picked)} findings (seed {args.seed}):")
        for n, i in enumerate(picked, 1):
            f = result.findings[i]
            src = result.source_lines.get((f.filename, f.lineno), "").strip()
            print(f"{n:>2}. {f.filename}:{f.lineno}:{f.col + 1} {f.code} {f.rule}: {f.message}\n      {src}")
    sys.exit(1 if result.crashes else 0)


if __name__ == "__main__":
    main()
