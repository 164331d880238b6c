"""What a rewriter is: it turns one finding into zero or more candidate sources, or declines.

A rewriter works on the whole file's source with libcst, keeps formatting and comments outside the
region it edits, adds imports through `AddImportsVisitor`, and returns `Candidate`s. It never decides
that a candidate is correct: every candidate goes through `optadvise.verify` before a user sees it.
When unsure, it returns `[]` (and may say why through `Decline`). Which findings it serves is stated
once, by the rule's `fixes` (rewrite kinds); its `EXAMPLES` show what it rewrites and what it declines.
"""

from __future__ import annotations

from typing import ClassVar

from optadvise import examples
from optadvise.model import Candidate, Finding, Profile


class Decline(Exception):
    """Raised by a rewriter that will not rewrite a finding; the message says why, in one line."""


class Rewriter:
    """Base class. Subclasses set `kind` and `EXAMPLES` and implement `propose`."""

    kind: ClassVar[str]
    EXAMPLES: ClassVar[tuple[examples.Rewrite | examples.Decline, ...]] = ()

    def applies(self, finding: Finding) -> bool:
        """The finding's rule offers this rewriter's kind among its fixes."""
        return self.kind in finding.fixes

    def propose(self, source: str, finding: Finding, profile: Profile | None) -> list[Candidate]:
        """Candidate rewrites of `source` addressing `finding`; raise Decline to say why not."""
        raise NotImplementedError


class ScaleOutRewriter(Rewriter):
    """A rewriter that `fix --scale-out` applies to the verified output of the remedy it `follows`
    (a rewrite kind); it is never asked in fix's main loop."""

    follows: ClassVar[str]

    def applies(self, finding: Finding) -> bool:
        return False
