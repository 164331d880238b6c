"""The `optadvise` command (and `python -m optadvise`): `optadvise.cli`, started quickly, left quickly.

A `profile` command line first starts its harness child (`EarlyHarness`), which imports while this
process imports click. At the end the exit handlers run and the output is flushed, but the
interpreter is not torn down module by module: that took ~20 ms of every command (a tenth of
profiling a short script), and nothing of ours is left open by then.
"""

from __future__ import annotations

import atexit
import os
import sys

from optadvise.profiling.early import EarlyHarness


def run() -> None:
    early = EarlyHarness.start(sys.argv)
    try:
        from optadvise.cli import main  # click's import overlaps the harness child's start
        from optadvise.errors import EXIT_OK, exit_status

        try:
            main(obj=early)
            code = EXIT_OK
        except SystemExit as e:
            code = exit_status(e.code)
    finally:
        if early is not None:
            early.discard()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # the reader closed the pipe, or the stream is closed: nothing to tell
            pass
    os._exit(code)


if __name__ == "__main__":
    run()
