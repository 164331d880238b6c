"""The verifier: a candidate is accepted only when it is EQUIVALENT to the original and FASTER.

Script level (always): the rewritten script runs as a hidden temp file next to the original
(`.<stem>.optadvise-<hex>.py`, deleted afterwards with any JIT cache it produced), in the same working
directory with the same arguments, stdin closed, in its own process group, under a timeout. Against the
original it must give the same exit status, the same stdout (words exactly, numbers within the
tolerance of `optadvise.compare`; numbers that already vary between runs of the original, such as
printed timings, are ignored and counted, unless they are most of what it prints, e.g. unseeded
random results: then nothing can be verified) and write the same files (created/modified files under the
working directory and the script's directory, compared by content). Every run is undone afterwards:
files it created are deleted, files the original rewrites are restored from a backup taken once.

Function level (where the finding is in a module-level function): `optadvise.verify_harness` runs the
original script, calls original and candidate function side by side on the real arguments and on
generated ones, and compares return values, argument mutation and exceptions.

Timing: the original is run once to discover its file effects (and warm caches), then up to twice
more for the reference output and to see which printed numbers vary between runs (timings). The
candidate runs once to warm up (a JIT compiles and caches then; `compile_s` = warm-up time minus the
steady median, floored at 0), then `runs` times (default 3; 1 when one run of the original takes more
than 30 s), each timed run paired with a run of the reference (the original, or the source the candidate
improves on) so both see the same machine load. The speedup is the ratio of the medians and must reach
`min_speedup`.
"""

from __future__ import annotations

import glob
import re
import hashlib
import json
import os
import secrets
import shutil
import statistics
import sys
import tempfile
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from optadvise.apply import OriginalFile, encode_source
from optadvise.compare import ATOL, Diff, compare_files, compare_text, tokens, volatile_positions
from optadvise.model import MODULE, Candidate, Verdict
from optadvise.profiling.child import ChildResult, run_child

RUNS = 3  # timed runs of original and candidate
LONG_RUN_S = 30.0  # scripts slower than this get a single timed run
SNAPSHOT_CAP = 20_000  # files and folders looked at per snapshot
BACKUP_CAP = 512 << 20  # bytes of existing files we are prepared to back up and restore
COPY_CAP = 256 << 20  # a reference output larger than this is compared by hash (exactly)
SKIP_DIRS = frozenset({".git", ".hg", ".svn", "__pycache__", ".venv", "venv", "node_modules", ".tox",
                       ".mypy_cache", ".pytest_cache", ".ruff_cache", ".hypothesis", ".ipynb_checkpoints",
                       "site-packages", ".nox", ".idea"})
TEMP_MARK = ".optadvise-"

Progress = Callable[[str], None]


# ---------------------------------------------------------------------------------- file effects


@dataclass
class Snapshot:
    files: dict[str, tuple[int, int]]  # path -> (size, mtime_ns)
    dirs: set[str]
    complete: bool


def snapshot(roots: list[str], cap: int = SNAPSHOT_CAP) -> Snapshot:
    """Breadth-first listing of `roots` (shallow files first), at most `cap` entries."""
    files: dict[str, tuple[int, int]] = {}
    dirs: set[str] = set()
    queue = deque(roots)
    seen = 0
    while queue:
        d = queue.popleft()
        try:
            entries = list(os.scandir(d))
        except OSError:
            continue
        for e in entries:
            seen += 1
            if seen > cap:
                return Snapshot(files, dirs, False)
            try:
                if e.is_dir(follow_symlinks=False):
                    if e.name not in SKIP_DIRS:
                        dirs.add(e.path)
                        queue.append(e.path)
                elif e.is_file(follow_symlinks=False) and TEMP_MARK not in e.name:
                    st = e.stat(follow_symlinks=False)
                    files[e.path] = (st.st_size, st.st_mtime_ns)
            except OSError:
                continue
    return Snapshot(files, dirs, True)


@dataclass
class Changes:
    created: list[str] = field(default_factory=list)
    modified: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    created_dirs: list[str] = field(default_factory=list)
    complete: bool = True

    def touched(self) -> list[str]:
        return self.created + self.modified + self.deleted


def changes_between(pre: Snapshot, post: Snapshot) -> Changes:
    c = Changes(complete=pre.complete and post.complete)
    for p, sig in post.files.items():
        old = pre.files.get(p)
        if old is None:
            c.created.append(p)
        elif old != sig:
            c.modified.append(p)
    if c.complete:  # a file beyond the cap of one listing is not "deleted"
        c.deleted = [p for p in pre.files if p not in post.files]
    c.created_dirs = sorted((d for d in post.dirs - pre.dirs), key=len, reverse=True)
    return c


@dataclass
class Run:
    result: ChildResult
    changes: Changes


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

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def _sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _last_line(text: str) -> str:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1][:200] if lines else ""


def _rel(path: str, cwd: str) -> str:
    try:
        return os.path.relpath(path, cwd)
    except ValueError:  # pragma: no cover - other drive
        return path


# ---------------------------------------------------------------------------------------- verifier


class Verifier:
    """Verifies candidates for one script run as `python SCRIPT ARGS` in `cwd`. Use as a context
    manager (or call `close`) so its private temp folder goes away."""

    def __init__(self, script: str, args: list[str], *, timeout: float, cwd: str | None = None,
                 runs: int | None = None, original: OriginalFile | None = None,
                 progress: Progress | None = None):
        self.script = script
        self.args = list(args)
        self.cwd = os.path.abspath(cwd or os.getcwd())
        self.script_dir = os.path.dirname(os.path.join(self.cwd, script)) or self.cwd
        self.timeout = timeout
        self.runs = runs
        self.original = original or OriginalFile.read(os.path.join(self.cwd, script))
        self.progress = progress or (lambda msg: None)
        roots = [self.cwd]
        if not (self.script_dir + os.sep).startswith(self.cwd + os.sep):
            roots.append(self.script_dir)
        self.roots = roots
        self.tmp = tempfile.mkdtemp(prefix="optadvise-verify-")
        self.backups: dict[str, str] = {}
        self._baseline: Baseline | None = None

    def __enter__(self) -> "Verifier":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)

    # ------------------------------------------------------------------------------- running

    def _exec(self, argv: list[str], timeout: float, env: dict[str, str] | None = None) -> Run:
        pre = snapshot(self.roots)
        try:
            res = run_child(argv, cwd=self.cwd, timeout=timeout, env=env, capture=True)
        except BaseException:  # interrupted: still undo what the run did so far
            self._restore(changes_between(pre, snapshot(self.roots)))
            raise
        return Run(res, changes_between(pre, snapshot(self.roots)))

    def _restore(self, changes: Changes) -> list[str]:
        """Undo a run's file effects; returns the files that could not be put back."""
        problems = []
        for p in changes.created:
            try:
                os.remove(p)
            except FileNotFoundError:
                pass
            except OSError:
                problems.append(p)
        for d in changes.created_dirs:
            try:
                os.rmdir(d)
            except OSError:
                pass
        for p in changes.modified + changes.deleted:
            backup = self.backups.get(p)
            if backup is None:
                problems.append(p)
                continue
            try:
                shutil.copyfile(backup, p)
            except OSError:
                problems.append(p)
        return problems

    # ------------------------------------------------------------------------------- baseline

    def baseline(self) -> Baseline:
        if self._baseline is None:
            self._baseline = self._measure_original()
        return self._baseline

    def _measure_original(self) -> Baseline:
        b = Baseline()
        argv = [sys.executable, self.script, *self.args]
        self.progress("running the original (discovery run)")
        first = self._exec(argv, self.timeout)
        if first.result.timed_out:
            self._restore(first.changes)
            return Baseline(error=f"the original script timed out after {self.timeout:g} s")
        b.discovery_s = first.result.wall_s
        b.complete = first.changes.complete
        if first.changes.deleted:
            return Baseline(error=f"the original deletes existing files ({_rel(first.changes.deleted[0], self.cwd)}"
                                  f"); re-running it safely is not possible")
        total = sum(os.path.getsize(p) for p in first.changes.modified if os.path.exists(p))
        if total > BACKUP_CAP:
            self._restore(Changes(created=first.changes.created, created_dirs=first.changes.created_dirs))
            return Baseline(error=f"the original rewrites {total / 2**20:.0f} MB of existing files (backup "
                                  f"limit {BACKUP_CAP >> 20} MB); re-running it safely is not possible")
        bdir = os.path.join(self.tmp, "backup")
        os.makedirs(bdir, exist_ok=True)
        for i, p in enumerate(first.changes.modified):  # the state the original leaves them in
            dest = os.path.join(bdir, str(i))
            shutil.copyfile(p, dest)
            self.backups[p] = dest
        self._restore(Changes(created=first.changes.created, created_dirs=first.changes.created_dirs))
        b.returncode = first.result.returncode
        b.runs = self.runs or (1 if b.discovery_s > LONG_RUN_S else RUNS)
        stdouts = [first.result.stdout]
        rdir = os.path.join(self.tmp, "ref")
        os.makedirs(rdir, exist_ok=True)
        for k in range(min(b.runs, 2)):  # the reference run, and one to see what varies between runs
            self.progress(f"running the original ({k + 2}/{min(b.runs, 2) + 1})")
            run = self._exec(argv, self.timeout)
            error = self._reference(b, run, k, rdir)
            problems = self._restore(run.changes)
            if problems and not error:
                error = f"cannot restore {_rel(problems[0], self.cwd)} after running the original"
            if error:
                return Baseline(error=error)
            stdouts.append(run.result.stdout)
            b.times.append(run.result.wall_s)
        vol = volatile_positions(stdouts, 0.0)
        if vol is None:
            return Baseline(error="the original prints different words from run to run; its output "
                                  "cannot be compared")
        numbers = sum(1 for t in tokens(b.stdout) if t[0] == "n")
        if len(vol) > 1 and 2 * len(vol) > numbers:
            return Baseline(error=f"{len(vol)} of the {numbers} numbers the original prints change from run to "
                                  f"run (unseeded randomness?); its results cannot be compared")
        b.volatile = vol
        return b

    def _reference(self, b: Baseline, run: Run, k: int, rdir: str) -> str | None:
        """Record timed run `k` of the original as the reference (k == 0) or check it agrees."""
        if run.result.timed_out:
            return f"the original script timed out after {self.timeout:g} s"
        if run.result.returncode != b.returncode:
            return f"the original's exit status differs from run to run ({b.returncode} vs {run.result.returncode})"
        touched = set(run.changes.created + run.changes.modified)
        if k == 0:
            b.stdout = run.result.stdout
            for i, p in enumerate(sorted(touched)):
                if os.path.getsize(p) > COPY_CAP:
                    b.outputs[p] = "sha256:" + _sha256(p)
                else:
                    dest = os.path.join(rdir, str(i))
                    shutil.copyfile(p, dest)
                    b.outputs[p] = dest
            return None
        if touched != set(b.outputs):
            return "the original writes different files from run to run"
        for p in touched:  # files whose contents vary between runs of the original
            if not self._same_file(b.outputs[p], p, 0.0).ok:
                b.volatile_files.add(p)
        return None

    def _same_file(self, ref: str, path: str, rtol: float) -> Diff:
        if ref.startswith("sha256:"):
            same = _sha256(path) == ref[7:]
            return Diff(same, "" if same else f"{os.path.basename(path)}: contents differ (bytes)")
        return compare_files(ref, path, rtol, ATOL, name=path)

    # ------------------------------------------------------------------------------- checking

    def _check(self, run: Run, base: Baseline, rtol: float, timeout: float) -> Diff:
        """Compare a candidate run with the original, then undo its file effects."""
        d = self._compare(run, base, rtol, timeout)
        problems = self._restore(run.changes)
        if problems:
            names = ", ".join(_rel(p, self.cwd) for p in problems[:3])
            return Diff(False, f"{d.reason or 'files changed'}; could not restore {names} (no backup: "
                               f"the original does not write it)", d.max_rel_diff)
        return d

    def _unalias(self, text: str) -> str:
        """The candidate's output with its temp file's name put back to the script's (`__file__`,
        `sys.argv[0]` printed)."""
        stem = os.path.splitext(os.path.basename(self.script))[0]
        return re.sub(rf"\.{re.escape(stem)}{re.escape(TEMP_MARK)}[0-9a-f]{{8}}", stem, text)

    def _compare(self, run: Run, base: Baseline, rtol: float, timeout: float) -> Diff:
        res = run.result
        if res.timed_out:
            return Diff(False, f"timed out after {timeout:.3g} s (the original takes {base.median:.3g} s)")
        if res.returncode != base.returncode:
            if base.returncode == 0:
                return Diff(False, f"candidate crashed: {_last_line(res.stderr) or f'exit status {res.returncode}'}")
            return Diff(False, f"exit status {res.returncode} vs the original's {base.returncode}")
        out = compare_text(base.stdout, self._unalias(res.stdout), rtol, ATOL, base.volatile)
        if not out.ok:
            return out
        diffs = [out]
        for p in sorted(set(base.outputs) | set(run.changes.touched())):
            name = _rel(p, self.cwd)
            ref = base.outputs.get(p)
            if ref is None:
                what = ("wrote" if p in run.changes.created else
                        "deleted" if p in run.changes.deleted else "modified")
                return Diff(False, f"candidate {what} {name}, which the original does not")
            if not os.path.exists(p):
                return Diff(False, f"candidate did not write {name}")
            if p in base.volatile_files:
                continue
            d = self._same_file(ref, p, rtol)
            if not d.ok:
                return Diff(False, f"file {name} differs: {d.reason}", d.max_rel_diff)
            diffs.append(d)
        return Diff.worst(diffs)

    # ------------------------------------------------------------------------------- verifying

    def verify(self, candidate: Candidate, *, min_speedup: float = 1.1, reference: str | None = None,
               function_level: bool = True) -> Verdict:
        """Verdict on `candidate` (a whole rewritten file). Correctness is always judged against the
        original script; speed against `reference` (a source text, default the original script),
        timed in alternation with the candidate so both see the same machine load."""
        base = self.baseline()
        if base.error:
            return Verdict(candidate, False, f"cannot verify: {base.error}")
        est = base.median  # the original's time, for time limits
        checks: list[str] = []
        notes: list[str] = []
        try:
            data = encode_source(candidate.new, self.original)
            ref_data = None if reference is None else encode_source(reference, self.original)
        except Exception as e:  # noqa: BLE001 - OptadviseError from encoding
            return Verdict(candidate, False, f"cannot store the candidate: {e}")
        with self._temp_script(data) as (argv, tmp_abs, env), self._temp_script(ref_data) as (ref_argv, _r, ref_env):
            warm_timeout = min(self.timeout, 3 * est + 60)
            self.progress(f"{candidate.kind} for {candidate.function}: warm-up run")
            warm = self._exec(argv, warm_timeout, env)
            d = self._check(warm, base, candidate.rtol, warm_timeout)
            if not d.ok:
                return Verdict(candidate, False, d.reason, max_rel_diff=_finite(d.max_rel_diff), checks=checks)
            max_rel = d.max_rel_diff
            checks += ["exit-status", "script-output"]
            if base.outputs:
                checks.append(f"files:{len(base.outputs)}")
            if base.volatile or base.volatile_files:
                notes.append(f"{len(base.volatile) + len(base.volatile_files)} output value(s) that vary "
                             f"between runs of the original were not compared")
            if not base.complete:
                notes.append(f"file check limited to the first {SNAPSHOT_CAP} entries of the folder")
            if function_level:
                fres = self._function_check(candidate, tmp_abs, env, est)
                status = fres.get("status")
                if status == "mismatch":
                    return Verdict(candidate, False, f"function {candidate.function}: {fres.get('reason')}",
                                   max_rel_diff=_finite(fres.get("max_rel_diff")), checks=checks)
                if status == "ok":
                    checks.append(f"function:{fres.get('inputs', 0)} inputs")
                    max_rel = max(max_rel, fres.get("max_rel_diff") or 0.0)
                    notes += fres.get("notes", [])
                else:
                    notes.append(f"function-level check skipped: {fres.get('reason')}")
            if ref_argv is not None:  # warm the reference too (its own JIT compile)
                self._restore(self._exec(ref_argv, warm_timeout, ref_env).changes)
            times, ref_times = [], []
            timed_timeout = min(self.timeout, max(3 * est, est + 10))
            for k in range(base.runs):
                self.progress(f"{candidate.kind} for {candidate.function}: timing ({k + 1}/{base.runs})")
                ref = self._exec(ref_argv or [sys.executable, self.script, *self.args], self.timeout, ref_env)
                self._restore(ref.changes)
                ref_times.append(ref.result.wall_s)
                run = self._exec(argv, timed_timeout, env)
                d = self._check(run, base, candidate.rtol, timed_timeout)
                if not d.ok:
                    reason = (f"slower: {d.reason}" if run.result.timed_out else f"unstable: run {k + 2}: {d.reason}")
                    return Verdict(candidate, False, reason, checks=checks)
                max_rel = max(max_rel, d.max_rel_diff)
                times.append(run.result.wall_s)
            t_ref, t_c = statistics.median(ref_times), statistics.median(times)
            speedup = t_ref / t_c if t_c > 0 else float("inf")
            compile_s = max(0.0, warm.result.wall_s - t_c)
            v = Verdict(candidate, False, "", speedup=speedup, t_original_s=t_ref, t_candidate_s=t_c,
                        compile_s=compile_s, max_rel_diff=_finite(max_rel), checks=checks)
            if speedup < min_speedup:
                v.reason = (f"slower: {speedup:.2f}x" if speedup < 1 else f"not fast enough: {speedup:.2f}x") + \
                    f" < {min_speedup:g}x"
                return v
            checks.append("timing")
            v.accepted = True
            v.reason = "; ".join([f"verified: {speedup:.2f}x faster, same results"] + notes)
            return v

    @contextmanager
    def _temp_script(self, data: bytes | None) -> Iterator[tuple[Any, str, Any]]:
        """A hidden copy of `data` next to the script: (argv, path, env); all three None for None.
        Removed afterwards, with any JIT cache it produced."""
        if data is None:
            yield None, "", None
            return
        stem = os.path.splitext(os.path.basename(self.script))[0]
        tag = secrets.token_hex(4)
        name = f".{stem}{TEMP_MARK}{tag}.py"
        tmp_abs = os.path.join(self.script_dir, name)
        numba_dir = os.path.join(self.tmp, f"numba-{tag}")
        env = dict(os.environ, NUMBA_CACHE_DIR=numba_dir)
        had_pycache = os.path.isdir(os.path.join(self.script_dir, "__pycache__"))
        try:
            with open(tmp_abs, "wb") as fh:
                fh.write(data)
            yield [sys.executable, os.path.join(os.path.dirname(self.script), name), *self.args], tmp_abs, env
        finally:
            self._cleanup(tmp_abs, tag, numba_dir, had_pycache)

    def _cleanup(self, tmp_abs: str, tag: str, numba_dir: str, had_pycache: bool) -> None:
        try:
            os.remove(tmp_abs)
        except OSError:
            pass
        shutil.rmtree(numba_dir, ignore_errors=True)
        pyc = os.path.join(self.script_dir, "__pycache__")
        for p in glob.glob(os.path.join(glob.escape(pyc), f"*{TEMP_MARK}{tag}*")):
            try:
                os.remove(p)
            except OSError:
                pass
        if not had_pycache:
            try:
                os.rmdir(pyc)
            except OSError:
                pass

    def _function_check(self, candidate: Candidate, tmp_abs: str, env: dict[str, str], est: float) -> dict:
        """Run `optadvise.verify_harness` on the original script; its JSON result (status ok /
        mismatch / skipped with a reason)."""
        if candidate.function in (MODULE, "", None):
            return {"status": "skipped", "reason": "the finding is at module level"}
        if "." in candidate.function or "<" in candidate.function:
            return {"status": "skipped", "reason": f"{candidate.function} is not a module-level function"}
        tag = os.path.basename(tmp_abs)
        spec_path = os.path.join(self.tmp, f"{tag}.spec.json")
        out_path = os.path.join(self.tmp, f"{tag}.result.json")
        spec = {"script": self.script, "args": self.args, "candidate": tmp_abs,
                "function": candidate.function, "rtol": candidate.rtol, "atol": ATOL, "out": out_path}
        with open(spec_path, "w") as fh:
            json.dump(spec, fh)
        timeout = min(self.timeout, 5 * est + 60)
        self.progress(f"{candidate.kind} for {candidate.function}: function-level check")
        run = self._exec([sys.executable, "-m", "optadvise.verify_harness", spec_path], timeout, env)
        problems = self._restore(run.changes)
        if problems:
            return {"status": "mismatch", "reason": f"cannot restore {_rel(problems[0], self.cwd)}"}
        try:
            with open(out_path) as fh:
                return json.load(fh)
        except (OSError, ValueError):
            why = "timed out" if run.result.timed_out else (
                _last_line(run.result.stderr) or f"exit status {run.result.returncode}")
            return {"status": "skipped", "reason": f"the harness gave no result ({why})"}


def _finite(x: float | None) -> float | None:
    import math

    return None if x is None or math.isinf(x) or math.isnan(x) else x


def verify_candidate(candidate: Candidate, script: str, args: list[str], *, timeout: float = 600.0,
                     min_speedup: float = 1.1, cwd: str | None = None, runs: int | None = None) -> Verdict:
    """One-shot convenience: verify a single candidate (fix reuses one `Verifier` for all)."""
    with Verifier(script, args, timeout=timeout, cwd=cwd, runs=runs) as v:
        return v.verify(candidate, min_speedup=min_speedup)
