"""`optadvise profile` against hostile scripts, in real child processes.

Every case asserts: a documented exit code, no traceback of optadvise's own (a script's traceback
shows the script's frames), a report (valid JSON with --format json), no process left running, nothing
left in the script's folder but what the script itself wrote, and optadvise's temp dir emptied.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from optadvise.errors import EXIT_FINDINGS, EXIT_OK, EXIT_SCRIPT_FAILED, EXIT_TIMEOUT
from optadvise.profiling.runner import TERM_GRACE_S

from .util import assert_exit, assert_no_own_traceback, kill_pids, listing, optadvise, read_pids, wait_gone, write

pytestmark = pytest.mark.slow

SLEEPER = "import time\nwhile True: time.sleep(0.05)"


class Run:
    """One `optadvise profile` of `name` in a fresh project dir, with a private TMPDIR."""

    def __init__(self, tmp: Path, name: str, source: str, *args: str, timeout: float = 10,
                 fmt: str = "json", env: dict[str, str] | None = None, wall_limit: float = 30,
                 files: dict[str, str] | None = None):
        self.proj = tmp / "proj"
        self.proj.mkdir()
        (self.proj / "sub").mkdir()
        for rel, text in (files or {}).items():
            (self.proj / rel).write_text(text)
        self.systmp = tmp / "systmp"
        self.systmp.mkdir()
        self.script = write(self.proj, name, source)
        self.before = listing(self.proj)
        self.out = tmp / "stdout.txt"
        t = time.monotonic()
        self.proc = optadvise("profile", "--format", fmt, "--timeout", str(timeout), str(self.script),
                              *args, cwd=self.proj, timeout=wall_limit,
                              env={"TMPDIR": str(self.systmp), **(env or {})})
        self.wall = time.monotonic() - t
        self.doc: dict[str, Any] | None = None
        if fmt == "json":
            try:
                self.doc = json.loads(self.proc.stdout)
            except ValueError as e:
                raise AssertionError(f"stdout is not one JSON document ({e}): "
                                     f"{self.proc.stdout[:500]!r}\n{self.proc.stderr[-2000:]}") from e

    def new_files(self) -> set[str]:
        return listing(self.proj) - self.before

    def check(self, code: int, *, allowed_new: set[str] = frozenset(), traceback_ok: bool = False) -> None:
        assert_exit(self.proc, code)
        assert_no_own_traceback(self.proc, self.script if traceback_ok else None)
        if not traceback_ok:
            assert "Traceback" not in self.proc.stderr, self.proc.stderr[-3000:]
        assert self.new_files() <= set(allowed_new), self.new_files()
        assert self.before <= listing(self.proj)  # optadvise deleted nothing
        assert not list(self.systmp.iterdir()), f"temp files left: {list(self.systmp.iterdir())}"
        if self.doc is not None:
            assert self.doc["script"] == str(self.script)
            assert self.doc["exit_code"] == code


def test_infinite_loop_timeout_kills_whole_tree(tmp_path: Path) -> None:
    try:
        run = Run(tmp_path, "spin.py", f"""
            import os, subprocess, sys
            kids = [subprocess.Popen([sys.executable, "-c", {SLEEPER!r}]) for _ in range(2)]
            pid = os.fork()
            if pid == 0:
                while True:
                    pass
            with open("pids.txt", "w") as fh:
                fh.write(" ".join(str(p) for p in [os.getpid(), pid] + [k.pid for k in kids]))
            while True:
                pass
            """, timeout=1.0)
        pids = read_pids(run.proj / "pids.txt")
        assert len(pids) == 4
        assert not wait_gone(pids), "processes of the script survived the timeout"
        run.check(EXIT_TIMEOUT, allowed_new={"pids.txt"})
        assert run.doc["timed_out"] is True
        assert run.wall < 1.0 + TERM_GRACE_S + 5
    finally:
        kill_pids(read_pids(tmp_path / "proj" / "pids.txt"))


def test_timeout_kills_child_in_new_session(tmp_path: Path) -> None:
    try:
        run = Run(tmp_path, "daemonish.py", f"""
            import os, subprocess, sys
            kid = subprocess.Popen([sys.executable, "-c", {SLEEPER!r}], start_new_session=True)
            open("pids.txt", "w").write(str(kid.pid))
            while True:
                pass
            """, timeout=1.0)
        assert read_pids(run.proj / "pids.txt")
        run.check(EXIT_TIMEOUT, allowed_new={"pids.txt"})
        assert not wait_gone(read_pids(run.proj / "pids.txt")), "the setsid child is still running"
    finally:
        kill_pids(read_pids(tmp_path / "proj" / "pids.txt"))


def test_children_left_running_at_normal_exit_are_reaped(tmp_path: Path) -> None:
    try:
        run = Run(tmp_path, "leaver.py", f"""
            import subprocess, sys
            kid = subprocess.Popen([sys.executable, "-c", {SLEEPER!r}])
            open("pids.txt", "w").write(str(kid.pid))
            print("leaving")
            """)
        run.check(EXIT_OK, allowed_new={"pids.txt"})
        assert run.wall < 8
        assert not wait_gone(read_pids(run.proj / "pids.txt"))
    finally:
        kill_pids(read_pids(tmp_path / "proj" / "pids.txt"))


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_multiprocessing_pool(tmp_path: Path, method: str) -> None:
    run = Run(tmp_path, "pool.py", """
        import multiprocessing as mp, os, sys

        def sq(x):
            return x * x

        if __name__ == "__main__":
            with mp.get_context(sys.argv[1]).Pool(2) as pool:
                print("total", sum(pool.map(sq, range(200))))
        """, method, timeout=30)
    run.check(EXIT_OK)
    assert "total 2646700" in run.proc.stderr  # json mode: the script's stdout goes to stderr
    assert run.doc["returncode"] == 0 and run.doc["exception"] is None


def test_os_fork(tmp_path: Path) -> None:
    run = Run(tmp_path, "forker.py", """
        import os, sys
        pid = os.fork()
        if pid == 0:
            print("child", flush=True)
            os._exit(0)
        os.waitpid(pid, 0)
        pid = os.fork()
        if pid == 0:
            print("child falls through", flush=True)
            sys.exit(0)
        os.waitpid(pid, 0)
        print("parent done", flush=True)
        """)
    run.check(EXIT_OK)
    assert run.proc.stderr.count("parent done") == 1  # a forked child never writes the report
    assert run.doc["returncode"] == 0


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_huge_stdout(tmp_path: Path, fmt: str) -> None:
    run = Run(tmp_path, "chatty.py", """
        import sys
        line = "x" * 1023 + "\\n"
        for _ in range(50 * 1024):
            sys.stdout.write(line)
        print("END-OF-SCRIPT")
        """, fmt=fmt, timeout=60, wall_limit=60)
    run.check(EXIT_OK)
    stream = run.proc.stderr if fmt == "json" else run.proc.stdout
    assert stream.count("x" * 1023) == 50 * 1024 and "END-OF-SCRIPT" in stream
    if fmt == "json":
        assert "x" * 100 not in run.proc.stdout
        assert run.doc["returncode"] == 0
    else:
        # the report follows the script's output (whose last line may reappear in the heat listing)
        assert "optadvise profile" in run.proc.stdout.split("END-OF-SCRIPT", 1)[1]


def test_chdir_and_deletes_a_file(tmp_path: Path) -> None:
    run = Run(tmp_path, "mover.py", """
        import os
        import numpy as np
        os.remove("scratch.dat")
        os.chdir("sub")
        x = np.arange(5000.0)
        s = 0.0
        for i in range(x.size):
            s += x[i]
        open("made_here.txt", "w").write(str(s))
        print(s, os.path.basename(os.getcwd()))
        """, files={"scratch.dat": "delete me"})
    assert_exit(run.proc, EXIT_OK)
    assert "scratch.dat" not in listing(run.proj)
    run.before.discard("scratch.dat")
    run.check(EXIT_OK, allowed_new={"sub/made_here.txt"})
    assert run.doc["cwd"] == str(run.proj)
    assert any(f["name"] == "<module>" and f["user"] for f in run.doc["functions"])


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_os_exit_3(tmp_path: Path, fmt: str) -> None:
    run = Run(tmp_path, "quitter.py", """
        import os
        print("before", flush=True)
        os._exit(3)
        """, fmt=fmt)
    run.check(EXIT_SCRIPT_FAILED)
    text = json.dumps(run.doc["notes"]) if run.doc else run.proc.stdout
    assert "could not save" in text or "before the profiler" in text or "no measurements" in text, text
    if run.doc:
        assert run.doc["returncode"] == 3
    else:
        assert "exit 3" in run.proc.stdout


def test_own_signal_handlers(tmp_path: Path) -> None:
    run = Run(tmp_path, "sigs.py", """
        import os, signal, time
        hits = []
        for s in (signal.SIGPROF, signal.SIGALRM, signal.SIGTERM, signal.SIGINT):
            signal.signal(s, lambda n, f: hits.append(n))
        signal.setitimer(signal.ITIMER_PROF, 0.001, 0.001)
        signal.setitimer(signal.ITIMER_REAL, 0.01, 0.01)
        t = time.time()
        while time.time() - t < 0.4:
            pass
        signal.setitimer(signal.ITIMER_PROF, 0, 0)
        signal.setitimer(signal.ITIMER_REAL, 0, 0)
        os.kill(os.getpid(), signal.SIGTERM)
        os.kill(os.getpid(), signal.SIGINT)
        print("handled", sorted(set(hits)))
        """)
    run.check(EXIT_OK)
    assert "handled [2, 14, 15, 27]" in run.proc.stderr
    assert run.doc["returncode"] == 0 and run.doc["functions"]


def test_script_ignoring_sigterm_still_times_out(tmp_path: Path) -> None:
    run = Run(tmp_path, "stubborn.py", """
        import signal
        for s in (signal.SIGTERM, signal.SIGINT, signal.SIGPROF):
            signal.signal(s, signal.SIG_IGN)
        while True:
            pass
        """, timeout=0.5)
    run.check(EXIT_TIMEOUT)
    assert run.doc["timed_out"] is True
    assert run.wall < 0.5 + TERM_GRACE_S + 5


def test_deep_recursion(tmp_path: Path) -> None:
    run = Run(tmp_path, "deep.py", """
        def f(n):
            return f(n + 1) + 1
        f(0)
        """)
    run.check(EXIT_SCRIPT_FAILED, traceback_ok=True)
    assert run.doc["exception"].startswith("RecursionError")
    assert "RecursionError" in run.proc.stderr


def test_failing_script_profile_has_no_harness_functions(tmp_path: Path) -> None:
    run = Run(tmp_path, "deep.py", """
        def f(n):
            return f(n + 1) + 1
        f(0)
        """)
    assert_exit(run.proc, EXIT_SCRIPT_FAILED)
    own = [fn for fn in run.doc["functions"]
           if f"{os.sep}optadvise{os.sep}" in fn["filename"] or fn["filename"].endswith("traceback.py")]
    assert not own, [(f["name"], f["share"]) for f in own]


def test_script_imports_itself(tmp_path: Path) -> None:
    run = Run(tmp_path, "selfish.py", """
        import sys
        def hello():
            return "hi"
        import selfish
        print("names", __name__, selfish.__name__, selfish.hello(), selfish is sys.modules["__main__"])
        """, env={"PYTHONDONTWRITEBYTECODE": ""})
    # importing itself compiles it to __pycache__, as plain `python selfish.py` does: the script's doing
    run.check(EXIT_OK, allowed_new={"__pycache__", f"__pycache__/selfish.{_tag()}.pyc"})
    assert run.proc.stderr.count("names ") == 2
    assert "names __main__ selfish hi False" in run.proc.stderr


def _tag() -> str:
    import sys

    return sys.implementation.cache_tag


def test_main_guard_runs_as_main(tmp_path: Path) -> None:
    run = Run(tmp_path, "guarded.py", """
        import sys
        def main():
            print("main ran as", __name__, sys.argv[1:])
            return 0
        if __name__ == "__main__":
            sys.exit(main())
        """, "a", "--b")
    run.check(EXIT_OK)
    assert "main ran as __main__ ['a', '--b']" in run.proc.stderr


def test_reads_stdin(tmp_path: Path) -> None:
    run = Run(tmp_path, "asker.py", """
        name = input("name? ")
        print("hello", name)
        """)
    run.check(EXIT_SCRIPT_FAILED, traceback_ok=True)
    assert run.doc["exception"].startswith("EOFError")
    assert any("standard input" in n for n in run.doc["notes"]), run.doc["notes"]


def test_script_closes_its_stdout(tmp_path: Path) -> None:
    run = Run(tmp_path, "closer.py", """
        import os, sys
        print("bye", flush=True)
        os.close(1)
        os.close(2)
        """, fmt="text")
    run.check(EXIT_OK)
    assert "optadvise profile" in run.proc.stdout


def test_a_reader_that_stops_early_cuts_the_report_short_quietly(tmp_path):
    """`optadvise profile script.py | head -1`: no error message, no traceback, exit 1."""
    script = write(tmp_path, "prints.py", "import time\nprint('first line', flush=True)\ntime.sleep(0.5)\n")
    proc = subprocess.Popen([sys.executable, "-m", "optadvise", "profile", str(script)], cwd=tmp_path,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline() == b"first line\n"
    proc.stdout.close()  # before the report is written
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == EXIT_FINDINGS, err
    assert "error" not in err and "Traceback" not in err
