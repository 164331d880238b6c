"""Real-code hardening corpus: every .py file of the installed numpy, scipy and numba, read in place.

    python benchmarks/roundtrip_corpus.py [--stride N] [--packages numpy,scipy,numba] [--jobs N]

For each file: libcst parse and regenerate (text `parse_module(src).code == src` and bytes
`parse_module(raw).bytes == raw`), and optadvise's own no-op write path (`encode_source(text, original)`
must give back the original bytes: encoding, BOM and line endings kept). Then `optadvise check` over
the same files in-process: internal errors (crashes of the index or a rule) must be zero; syntax or
decode errors are counted separately (the installed trees contain none). Prints counts and times;
exits 1 when anything failed. The sources are found via the packages' specs and never copied.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
from dataclasses import dataclass, field

PACKAGES = ("numpy", "scipy", "numba")


def package_files(names: tuple[str, ...] = PACKAGES, stride: int = 1) -> list[str]:
    """Sorted .py files of the installed packages (every `stride`-th one), located without importing."""
    files: list[str] = []
    for name in names:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.origin:
            raise SystemExit(f"{name} is not installed")
        top = os.path.dirname(spec.origin)
        for root, dirs, names_ in os.walk(top):
            dirs.sort()
            files.extend(os.path.join(root, f) for f in sorted(names_) if f.endswith(".py"))
    return files[::stride]


def roundtrip(path: str) -> str | None:
    """None when the file survives libcst and optadvise's encoder byte for byte, else why not."""
    import libcst

    from optadvise.apply import OriginalFile, encode_source

    with open(path, "rb") as fh:
        raw = fh.read()
    try:
        original = OriginalFile.read(path)
        text = original.text
    except Exception as e:  # noqa: BLE001 - counted and reported
        return f"read: {type(e).__name__}: {e}"
    try:
        if libcst.parse_module(text).code != text:
            return "libcst text round trip differs"
        if libcst.parse_module(raw).bytes != raw:
            return "libcst bytes round trip differs"
    except Exception as e:  # noqa: BLE001
        return f"libcst: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
    try:
        if encode_source(text, original) != raw:
            return "optadvise encode_source(text) != original bytes"
    except Exception as e:  # noqa: BLE001
        return f"encode_source: {type(e).__name__}: {e}"
    return None


@dataclass
class CorpusResult:
    files: int = 0
    roundtrip_failures: dict[str, str] = field(default_factory=dict)
    roundtrip_s: float = 0.0
    check_files: int = 0
    check_lines: int = 0
    check_findings: int = 0
    internal_errors: list[str] = field(default_factory=list)
    parse_errors: list[str] = field(default_factory=list)
    check_s: float = 0.0


def run(files: list[str], jobs: int | None = None, do_roundtrip: bool = True,
        do_check: bool = True) -> CorpusResult:
    res = CorpusResult(files=len(files))
    if do_roundtrip:
        t = time.perf_counter()
        for f in files:
            why = roundtrip(f)
            if why is not None:
                res.roundtrip_failures[f] = why
        res.roundtrip_s = time.perf_counter() - t
    if do_check:
        from optadvise.commands.check import check_paths
        from optadvise.config import Config

        t = time.perf_counter()
        result = check_paths(files, Config(), jobs=jobs)
        res.check_s = time.perf_counter() - t
        res.check_files, res.check_lines, res.check_findings = result.files, result.lines, len(result.findings)
        res.internal_errors = [str(e) for e in result.crashes]
        res.parse_errors = [str(e) for e in result.errors if e.kind != "internal"]
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stride", type=int, default=1, help="take every N-th file (default: all)")
    ap.add_argument("--packages", default=",".join(PACKAGES))
    ap.add_argument("--jobs", "-j", type=int, default=None, help="check's worker processes")
    ap.add_argument("--no-check", action="store_true")
    ap.add_argument("--no-roundtrip", action="store_true")
    args = ap.parse_args()
    files = package_files(tuple(args.packages.split(",")), args.stride)
    res = run(files, args.jobs, not args.no_roundtrip, not args.no_check)
    print(f"packages:             {args.packages} (stride {args.stride})")
    print(f"files:                {res.files}")
    if not args.no_roundtrip:
        print(f"round-tripped:        {res.files - len(res.roundtrip_failures)} / {res.files} byte-identical "
              f"in {res.roundtrip_s:.1f} s")
        for f, why in sorted(res.roundtrip_failures.items()):
            print(f"  FAIL {f}: {why}")
    if not args.no_check:
        print(f"checked:              {res.check_files} files, {res.check_lines} lines, "
              f"{res.check_findings} findings in {res.check_s:.1f} s")
        print(f"internal errors:      {len(res.internal_errors)}")
        for e in res.internal_errors:
            print(f"  {e}")
        print(f"syntax/decode errors: {len(res.parse_errors)}")
        for e in res.parse_errors[:20]:
            print(f"  {e}")
    return 1 if res.roundtrip_failures or res.internal_errors else 0


if __name__ == "__main__":
    sys.exit(main())
