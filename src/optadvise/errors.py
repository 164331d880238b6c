"""Exit codes and the one error type the CLI turns into a one-line message (never a traceback)."""

from __future__ import annotations

import sys
from typing import Any

# Exit codes, shared by every command (documented in README and `--help`).
EXIT_OK = 0  # profile: the script ran and exited 0; fix: verified rewrites found/applied; check: clean
EXIT_FINDINGS = 1  # check: findings; fix: nothing verified to propose or apply
EXIT_USAGE = 2  # bad input: missing file, not Python, syntax error, undecodable source, bad option
EXIT_SCRIPT_FAILED = 3  # the profiled script raised or exited non-zero (its profile is still shown)
EXIT_TIMEOUT = 4  # the profiled script ran past --timeout and was killed (what was measured is shown)


class OptadviseError(Exception):
    """An error the user can act on; the CLI prints `optadvise: error: <message>` and exits `code`."""

    def __init__(self, message: str, code: int = EXIT_USAGE):
        super().__init__(message)
        self.code = code


def exit_status(code: Any) -> int:
    """The process exit status of `sys.exit(code)`; a message is printed to stderr, as Python does."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1
