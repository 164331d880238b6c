"""The examples that document rules and rewriters and that one generic test checks for each.

A rule carries `VALID` snippets its static finder must leave alone, `INVALID` snippets it must flag
(the flagged line marked with `# <-`, and the fixes the finding offers), and `MEASURED` examples: a
snippet plus a small `Profile` given as facts, with the measured finding expected (or none). A
rewriter carries `Rewrite` examples (the source before, with the finding's line marked, and the
whole source expected after) and `Decline` examples (a reason it must give). The finding a rewriter
example starts from is found by the named rule's own static finder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from optadvise.model import Profile

MARK = "# <-"
EXAMPLE_FILE = "example.py"  # the file name examples are analysed under (and profiles refer to)


def marked_line(source: str) -> int:
    """The 1-based number of the first line carrying the `# <-` marker."""
    for lineno, line in enumerate(source.splitlines(), 1):
        if MARK in line:
            return lineno
    raise ValueError("example has no '# <-' marker")


@dataclass(frozen=True)
class Valid:
    """Code the rule's static finder must not flag."""

    code: str


@dataclass(frozen=True)
class Invalid:
    """Code the static finder must flag on the marked line, offering `fixes` (rewrite kinds)."""

    code: str
    fixes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Measured:
    """Code plus measured facts: the rule must report the marked line (or nothing, if not `flagged`).

    `evidence` lists key/value pairs the finding's evidence must contain.
    """

    code: str
    profile: Profile
    flagged: bool = True
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Rewrite:
    """`before` (finding's line marked, found by `rule`) must become exactly `after`."""

    rule: str
    before: str
    after: str
    profile: Profile | None = None  # measured facts the rewriter may need


@dataclass(frozen=True)
class Decline:
    """The rewriter must decline `before` with a reason containing `reason`."""

    rule: str
    before: str
    reason: str
    profile: Profile | None = None
