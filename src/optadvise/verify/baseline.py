"""What the original script does, measured once per verifier: exit status, reference stdout and output
files, which printed numbers and files vary between its runs, and its run times.

The original runs once to discover its file effects (and warm caches): files it rewrites are backed
up in the state it leaves them in, so that every later run can be undone; a run that deletes existing
files, or rewrites more than `BACKUP_CAP` bytes of them, cannot be re-run safely. A discovery run that
wrote no file is itself the reference (output and first timed run). Otherwise the original runs up to
twice more: the first gives the reference output (files over `COPY_CAP` are kept as a hash), the
second shows which printed numbers and files vary between runs. For a script that writes no file
that second run is taken lazily (`vary`), when a candidate's output first differs from the reference:
numbers that differ between two runs of the original (timings) are then ignored, unless they are most
of what it prints (unseeded randomness): then nothing can be verified.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import statistics
from dataclasses import dataclass, field

from optadvise.verify.compare import ATOL, Diff, compare_files, tokens, volatile_positions
from optadvise.verify.sandbox import Changes, Progress, Run, Sandbox

RUNS = 3  # timed runs of original and candidate
LONG_RUN_S = 30.0  # scripts slower than this get a single timed run
BACKUP_CAP = 512 << 20  # bytes of existing files we are prepared to back up and restore
COPY_CAP = 256 << 20  # a reference output larger than this is compared by hash (exactly)
HASH_PREFIX = "sha256:"


@dataclass
class Baseline:
    """What the original does: reference output, files, exit status and timings."""

    error: str | None = None
    returncode: int | None = None
    stdout: str = ""
    volatile: frozenset[int] = frozenset()
    outputs: dict[str, str] = field(default_factory=dict)  # path -> reference copy, or "sha256:<hex>"
    volatile_files: set[str] = field(default_factory=set)
    times: list[float] = field(default_factory=list)
    discovery_s: float = 0.0
    runs: int = RUNS
    complete: bool = True
    samples: list[str] = field(default_factory=list)  # stdout of each run of the original
    varied: bool = False  # whether a run after the reference showed what varies (see `vary`)

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def _sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def same_file(ref: str, path: str, rtol: float) -> Diff:
    """Compare `path` with a reference output recorded by `measure_original` (a copy or a hash)."""
    if ref.startswith(HASH_PREFIX):
        same = _sha256(path) == ref[len(HASH_PREFIX):]
        return Diff(same, "" if same else f"{os.path.basename(path)}: contents differ (bytes)")
    return compare_files(ref, path, rtol, ATOL, name=path)


def measure_original(box: Sandbox, timeout: float, runs: int | None, progress: Progress) -> Baseline:
    """Run the original script (see the module docstring); `runs` overrides the number of timed runs."""
    b = Baseline()
    argv = box.original_argv
    progress("running the original (discovery run)")
    first = box.run(argv, timeout)
    if first.result.timed_out:
        box.restore(first.changes)
        return Baseline(error=f"the original script timed out after {timeout:g} s")
    b.discovery_s = first.result.wall_s
    b.complete = first.changes.complete
    if first.changes.deleted:
        return Baseline(error=f"the original deletes existing files ({box.rel(first.changes.deleted[0])}"
                              f"); re-running it safely is not possible")
    created_only = Changes(created=first.changes.created, created_dirs=first.changes.created_dirs)
    total = sum(os.path.getsize(p) for p in first.changes.modified if os.path.exists(p))
    if total > BACKUP_CAP:
        box.restore(created_only)
        return Baseline(error=f"the original rewrites {total / 2**20:.0f} MB of existing files (backup "
                              f"limit {BACKUP_CAP >> 20} MB); re-running it safely is not possible")
    box.back_up(first.changes.modified)  # the state the original leaves them in
    box.restore(created_only)
    b.returncode = first.result.returncode
    b.runs = runs or (1 if b.discovery_s > LONG_RUN_S else RUNS)
    b.samples = [first.result.stdout]
    if not first.changes.touched() and not first.changes.created_dirs:  # it is the reference run
        b.stdout = first.result.stdout
        b.times.append(first.result.wall_s)
        return b
    rdir = box.private_dir("ref")
    for k in range(min(b.runs, 2)):  # the reference run, and one to see what varies between runs
        progress(f"running the original ({k + 2}/{min(b.runs, 2) + 1})")
        error = _sample(box, b, k, rdir, timeout)
        if error:
            return Baseline(error=error)
    b.varied = True
    return _volatility(b)


def vary(box: Sandbox, b: Baseline, timeout: float, progress: Progress) -> None:
    """Run the original once more to learn which printed numbers vary between its runs (see the
    module docstring); a problem found sets `b.error`. Only for a script that writes no file."""
    assert not b.outputs and not b.varied
    b.varied = True
    progress("running the original again (which printed numbers vary?)")
    error = _sample(box, b, 1, "", timeout)
    if error:
        b.error = error
        return
    b.error = _volatility(b).error


def _sample(box: Sandbox, b: Baseline, k: int, rdir: str, timeout: float) -> str | None:
    """One more run of the original: the reference (k == 0) or a sample that shows what varies; its
    output and time are recorded, its file effects undone; an error."""
    run = box.run(box.original_argv, timeout)
    error = _reference(b, run, k, rdir, timeout)
    problems = box.restore(run.changes)
    if problems and not error:
        error = f"cannot restore {box.rel(problems[0])} after running the original"
    if not error:
        b.samples.append(run.result.stdout)
        b.times.append(run.result.wall_s)
    return error


def _volatility(b: Baseline) -> Baseline:
    """`b` with the printed numbers that vary between its samples marked, or an error baseline."""
    vol = volatile_positions(b.samples, 0.0)
    if vol is None:
        return Baseline(error="the original prints different words from run to run; its output "
                              "cannot be compared")
    numbers = sum(1 for t in tokens(b.stdout) if t[0] == "n")
    if len(vol) > 1 and 2 * len(vol) > numbers:
        return Baseline(error=f"{len(vol)} of the {numbers} numbers the original prints change from run to "
                              f"run (unseeded randomness?); its results cannot be compared")
    b.volatile = vol
    return b


def _reference(b: Baseline, run: Run, k: int, rdir: str, timeout: float) -> str | None:
    """Record timed run `k` of the original as the reference (k == 0) or check it agrees; an error."""
    if run.result.timed_out:
        return f"the original script timed out after {timeout:g} s"
    if run.result.returncode != b.returncode:
        return f"the original's exit status differs from run to run ({b.returncode} vs {run.result.returncode})"
    touched = set(run.changes.created + run.changes.modified)
    if k == 0:
        b.stdout = run.result.stdout
        for i, p in enumerate(sorted(touched)):
            if os.path.getsize(p) > COPY_CAP:
                b.outputs[p] = HASH_PREFIX + _sha256(p)
            else:
                dest = os.path.join(rdir, str(i))
                shutil.copyfile(p, dest)
                b.outputs[p] = dest
        return None
    if touched != set(b.outputs):
        return "the original writes different files from run to run"
    for p in touched:  # files whose contents vary between runs of the original
        if not same_file(b.outputs[p], p, 0.0).ok:
            b.volatile_files.add(p)
    return None
