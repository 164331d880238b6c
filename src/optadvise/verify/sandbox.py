"""Where verification runs happen and how they are undone.

A `Sandbox` runs `python ...` for one script in its working directory (stdin closed, own process
group, timeout: `optadvise.profiling.child.run_child`), snapshots the working directory and the
script's directory around each run, and undoes the run's file effects: files it created are deleted,
files it rewrote are restored from a backup taken once. A candidate runs as a hidden temp script beside
the original (`.<stem>.optadvise-<hex>.py`), removed afterwards with any JIT cache it produced. The
sandbox's private temp folder (backups, reference outputs, messages) goes away on `close`.
"""

from __future__ import annotations

import glob
import os
import re
import secrets
import shutil
import sys
import tempfile
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from optadvise.profiling.child import ChildResult, run_child

SNAPSHOT_CAP = 20_000  # files and folders looked at per snapshot
SKIP_DIRS = frozenset({".git", ".hg", ".svn", "__pycache__", ".venv", "venv", "node_modules", ".tox",
                       ".mypy_cache", ".pytest_cache", ".ruff_cache", ".hypothesis", ".ipynb_checkpoints",
                       "site-packages", ".nox", ".idea"})
TEMP_MARK = ".optadvise-"

Progress = Callable[[str], None]  # told what is about to run


@dataclass
class Snapshot:
    files: dict[str, tuple[int, int]]  # path -> (size, mtime_ns)
    dirs: set[str]
    complete: bool


def snapshot(roots: list[str]) -> Snapshot:
    """Breadth-first listing of `roots` (shallow files first), at most `SNAPSHOT_CAP` entries."""
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
            if seen > SNAPSHOT_CAP:
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
    """What one run did to the files under the roots."""

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
    """One finished child run and its file effects (not yet undone)."""

    result: ChildResult
    changes: Changes

    def last_error_line(self) -> str:
        """The last non-blank line of the run's stderr (at most 200 characters)."""
        lines = [ln.strip() for ln in self.result.stderr.strip().splitlines() if ln.strip()]
        return lines[-1][:200] if lines else ""


@dataclass
class HiddenScript:
    """A temp copy of a source beside the script: how to run it, where it is, its environment."""

    argv: list[str]
    path: str
    env: dict[str, str]


class Sandbox:
    """Runs `python SCRIPT ARGS` (or a hidden variant of SCRIPT) in `cwd` and undoes its file effects."""

    def __init__(self, script: str, args: list[str], cwd: str):
        self.script = script
        self.args = list(args)
        self.cwd = cwd
        self.script_dir = os.path.dirname(os.path.join(cwd, script)) or cwd
        self.roots = [cwd]
        if not (self.script_dir + os.sep).startswith(cwd + os.sep):
            self.roots.append(self.script_dir)
        self.tmp = tempfile.mkdtemp(prefix="optadvise-verify-")
        self.backups: dict[str, str] = {}

    def close(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)

    @property
    def original_argv(self) -> list[str]:
        return [sys.executable, self.script, *self.args]

    def private_dir(self, name: str) -> str:
        """A folder of that name in the sandbox's temp folder (created when missing)."""
        path = os.path.join(self.tmp, name)
        os.makedirs(path, exist_ok=True)
        return path

    def rel(self, path: str) -> str:
        try:
            return os.path.relpath(path, self.cwd)
        except ValueError:  # pragma: no cover - other drive
            return path

    def run(self, argv: list[str], timeout: float, env: dict[str, str] | None = None) -> Run:
        pre = snapshot(self.roots)
        try:
            res = run_child(argv, cwd=self.cwd, timeout=timeout, env=env, capture=True)
        except BaseException:  # interrupted: still undo what the run did so far
            self.restore(changes_between(pre, snapshot(self.roots)))
            raise
        return Run(res, changes_between(pre, snapshot(self.roots)))

    def back_up(self, paths: list[str]) -> None:
        """Keep a copy of each file as it is now: `restore` puts it back after later runs."""
        bdir = self.private_dir("backup")
        for p in paths:
            dest = os.path.join(bdir, str(len(self.backups)))
            shutil.copyfile(p, dest)
            self.backups[p] = dest

    def restore(self, changes: Changes) -> list[str]:
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

    def unalias(self, text: str) -> str:
        """A hidden script's output with its file name put back to the script's (`__file__`,
        `sys.argv[0]` printed)."""
        stem = os.path.splitext(os.path.basename(self.script))[0]
        return re.sub(rf"\.{re.escape(stem)}{re.escape(TEMP_MARK)}[0-9a-f]{{8}}", stem, text)

    @contextmanager
    def hidden_script(self, data: bytes) -> Iterator[HiddenScript]:
        """`data` as a hidden script beside the original, removed afterwards with any JIT cache it
        produced."""
        stem = os.path.splitext(os.path.basename(self.script))[0]
        tag = secrets.token_hex(4)
        name = f".{stem}{TEMP_MARK}{tag}.py"
        path = os.path.join(self.script_dir, name)
        numba_dir = os.path.join(self.tmp, f"numba-{tag}")
        env = dict(os.environ, NUMBA_CACHE_DIR=numba_dir)
        had_pycache = os.path.isdir(os.path.join(self.script_dir, "__pycache__"))
        try:
            with open(path, "wb") as fh:
                fh.write(data)
            yield HiddenScript([sys.executable, os.path.join(os.path.dirname(self.script), name), *self.args],
                               path, env)
        finally:
            self._remove_hidden(path, tag, numba_dir, had_pycache)

    def _remove_hidden(self, path: str, tag: str, numba_dir: str, had_pycache: bool) -> None:
        try:
            os.remove(path)
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
