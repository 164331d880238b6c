"""What a rule is: a stable slug and code, its documentation, a static finder and a runtime confirmer.

A rule's static half (`find`) reads one parsed module (the shared `ModuleIndex`, built in a single
traversal) and returns candidate `Site`s; `optadvise check` reports those as low-confidence findings.
Its runtime half (`confirm`) takes a site and the measured `Profile` and returns a `Finding` carrying the
evidence, or None when the measurements do not bear the site out. Rules that need runtime facts to find
anything at all (dense-mostly-zero, gpu-candidate) may also implement `discover`. Each rule carries
its own examples (`optadvise.examples`), which the test suite checks and the docs are generated from.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from optadvise.examples import Invalid, Measured, Valid
from optadvise.model import Finding, Profile

if TYPE_CHECKING:
    from optadvise.rules.index import ModuleIndex


@dataclass
class Site:
    """A place a rule's static heuristics point at."""

    lineno: int
    end_lineno: int
    col: int
    function: str  # qualified name or "<module>"
    message: str
    detail: dict[str, Any] = field(default_factory=dict)
    confident: bool = True  # static evidence alone suffices (`check` reports only confident sites)


class Rule:
    """Base class: subclasses set the class attributes and override `find` and/or `confirm`.

    The docstring of a subclass is its user documentation (`optadvise explain SLUG`), under ruff's
    headings: `## What it does`, `## Why is this bad?`, `## Example`, `## Use instead` (the last two
    hold one fenced code block each). `VALID`, `INVALID` and `MEASURED` hold its examples.
    """

    slug: ClassVar[str]
    code: ClassVar[str]
    summary: ClassVar[str]
    fixes: ClassVar[tuple[str, ...]] = ()
    static: ClassVar[bool] = True  # runs in `optadvise check`
    VALID: ClassVar[tuple[Valid, ...]] = ()
    INVALID: ClassVar[tuple[Invalid, ...]] = ()
    MEASURED: ClassVar[tuple[Measured, ...]] = ()

    def find(self, index: ModuleIndex) -> list[Site]:
        """Static candidates in one module."""
        return []

    def confirm(self, site: Site, index: ModuleIndex, profile: Profile) -> Finding | None:
        """Turn a static site into a measured finding, or None if the profile does not bear it out."""
        return None

    def discover(self, index: ModuleIndex, profile: Profile) -> list[Finding]:
        """Findings that only runtime facts reveal (no static site needed)."""
        return []

    # helpers shared by all rules -------------------------------------------------------------

    def finding(self, index: ModuleIndex, site: Site, *, message: str | None = None,
                evidence: dict[str, Any] | None = None, share: float = 0.0,
                confidence: str = "measured", fixes: tuple[str, ...] | None = None) -> Finding:
        """A finding of this rule at `site` (message and evidence default to the site's)."""
        return Finding(
            rule=self.slug, code=self.code, filename=index.filename, lineno=site.lineno,
            end_lineno=site.end_lineno, col=site.col, function=site.function,
            message=message or site.message, evidence=dict(evidence or site.detail), share=share,
            severity=severity_for(share, confidence), fixes=list(self.fixes if fixes is None else fixes),
            confidence=confidence,
        )

    @classmethod
    def doc(cls) -> str:
        """The rule's documentation: its docstring, dedented."""
        return inspect.cleandoc(cls.__doc__ or cls.summary)


def severity_for(share: float, confidence: str) -> str:
    """Rank by the share of run time at stake; static findings are never above 'low'."""
    if confidence == "static":
        return "low"
    if share >= 0.30:
        return "high"
    if share >= 0.10:
        return "medium"
    if share >= 0.02:
        return "low"
    return "info"
