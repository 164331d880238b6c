"""A harness child started before the command line is parsed: `optadvise profile`'s head start.

Starting Python and importing the harness takes the child about as long as the parent takes to import
click and read its options (~70 ms each). The console entry point therefore starts the child first
(`EarlyHarness.start`, for a `profile` command line only); the child imports while the parent does,
then waits for its script on stdin (`receive`). The runner hands the script over (`release`) once the
parent has checked it; on every path that runs no script (bad input, --help) the child is
discarded: it reads end-of-file and exits without a word. Kept to the standard library: it runs
before everything else in the parent.
"""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import subprocess

HARNESS = "from optadvise.profiling.harness import main; main()"  # python -c HARNESS [RESULT SCRIPT ARGS]
DISCARD_WAIT_S = 2.0  # how long a discarded child gets to exit before it is killed


class EarlyHarness:
    """A harness child waiting for the script it is to run."""

    def __init__(self, proc: subprocess.Popen[bytes]):
        self.proc = proc
        self.handed_over = False

    @classmethod
    def start(cls, argv: list[str]) -> EarlyHarness | None:
        """A waiting harness when `argv` (the command line) profiles a script, else None."""
        if argv[1:2] != ["profile"] or len(argv) < 3:
            return None
        import subprocess  # here: the child imports this module too, and has no use for it

        try:  # stdout and stderr are the parent's, as a profiled script's are
            return cls(subprocess.Popen([sys.executable, "-c", HARNESS], stdin=subprocess.PIPE,
                                        start_new_session=True))
        except OSError:
            return None  # the runner starts one when it needs it

    def release(self, result_path: str, script: str, args: list[str],
                stdout_to_stderr: bool) -> subprocess.Popen[bytes] | None:
        """Hand the child its script and return it, running; None when it is gone."""
        self.handed_over = True
        spec = {"result": result_path, "script": script, "args": args, "stdout_to_stderr": stdout_to_stderr}
        try:
            assert self.proc.stdin is not None
            self.proc.stdin.write(json.dumps(spec).encode())
            self.proc.stdin.close()
        except OSError:
            self._end()
            return None
        return self.proc

    def discard(self) -> None:
        """End a child that was never handed a script (a no-op once it was)."""
        if self.handed_over:
            return
        self.handed_over = True
        try:
            assert self.proc.stdin is not None
            self.proc.stdin.close()  # end-of-file: the child exits on its own
        except OSError:
            pass
        self._end()

    def _end(self) -> None:
        import subprocess

        from optadvise.profiling.child import kill_group  # here: only a discarded child needs it

        try:
            self.proc.wait(timeout=DISCARD_WAIT_S)
        except subprocess.TimeoutExpired:
            kill_group(self.proc)
            self.proc.wait()


def receive() -> tuple[str, str, list[str]] | None:
    """In the child: (result path, script, args) read from stdin, or None at end-of-file (discarded).
    Stdin then reads /dev/null, as a profiled script's always does; with `stdout_to_stderr`, the
    script's stdout goes to stderr (`--format json` keeps stdout for the report)."""
    data = sys.stdin.buffer.read()
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    if not data:
        return None
    spec = json.loads(data)
    if spec["stdout_to_stderr"]:
        os.dup2(2, 1)
    return spec["result"], spec["script"], list(spec["args"])
