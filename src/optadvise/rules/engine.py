"""The one rule engine: rule lookup by slug or code, rule selection (config, then command line), and
the one loop that runs rules over a module, for static findings (`check`) and measured ones
(`profile`, `fix`). A rule that raises is handed to `on_error` and never hides the others.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence

from optadvise import rules as registry
from optadvise.config import Config
from optadvise.errors import OptadviseError
from optadvise.model import Finding, Profile
from optadvise.rules.base import Rule
from optadvise.rules.index import ModuleIndex

OnError = Callable[[Rule, Exception], None]


def _matches(rule: Rule, name: str) -> bool:
    key = name.strip().lower()
    return key in (rule.slug, rule.code.lower())


def get_rule(name: str) -> Rule | None:
    """A registered rule by slug (`loop-over-ndarray`) or code (`OA101`), case-insensitive."""
    return next((r for r in registry.RULES if _matches(r, name)), None)


def lookup(rules: Sequence[Rule], names: Iterable[str], where: str) -> list[Rule]:
    """The rules among `rules` that `names` name; a name no rule has is a one-line error."""
    out: list[Rule] = []
    for name in names:
        match = [r for r in rules if _matches(r, name)]
        if not match and get_rule(name) is None:
            raise OptadviseError(f"unknown rule {name!r} in {where}; `optadvise rules` lists them")
        out.extend(match)
    return out


def select_rules(rules: Sequence[Rule], config: Config, select: list[str] | None,
                 ignore: list[str] | None) -> tuple[list[Rule], list[str]]:
    """Static rules after config select/ignore, then command-line select/ignore (which win); and
    warnings for selected rules that need runtime evidence."""
    where = config.path or "configuration"
    static = [r for r in rules if r.static]
    chosen = static
    warnings: list[str] = []
    for sel, ign, label in ((config.select, config.ignore, f"{where} [tool.optadvise]"),
                            (select, ignore or [], "the command line")):
        if sel is not None:
            wanted = lookup(rules, sel, f"{label} select")
            warnings += [f"optadvise: warning: {r.slug} ({r.code}) needs runtime evidence; `check` "
                         f"skips it (use `optadvise profile`)" for r in wanted if not r.static]
            chosen = [r for r in static if r in wanted]
        dropped = lookup(rules, ign, f"{label} ignore")
        chosen = [r for r in chosen if r not in dropped]
    for names in config.per_file_ignores.values():
        lookup(rules, names, f"{where} per-file-ignores")
    return chosen, warnings


def static_findings(index: ModuleIndex, rules: Sequence[Rule],
                    on_error: OnError | None = None) -> list[Finding]:
    """Findings static evidence alone supports (each rule's confident sites), in rule order."""

    def static(rule: Rule) -> Iterator[Finding]:
        for site in rule.find(index):
            if site.confident:
                yield rule.finding(index, site, confidence="static")

    return _run(rules, static, on_error)


def measured_findings(profile: Profile, index: ModuleIndex, rules: Sequence[Rule],
                      on_error: OnError | None = None) -> list[Finding]:
    """Findings the profile bears out (sites confirmed, plus those only runtime facts reveal),
    highest share of run time first."""

    def measured(rule: Rule) -> Iterator[Finding]:
        for site in rule.find(index):
            finding = rule.confirm(site, index, profile)
            if finding is not None:
                yield finding
        yield from rule.discover(index, profile)

    findings = _run(rules, measured, on_error)
    findings.sort(key=lambda f: (-f.share, f.lineno))
    return findings


def _run(rules: Sequence[Rule], per_rule: Callable[[Rule], Iterator[Finding]],
         on_error: OnError | None) -> list[Finding]:
    """The one rule loop; a failing rule keeps what it found so far and goes to `on_error` (raised
    when there is none)."""
    findings: list[Finding] = []
    for rule in rules:
        try:
            for finding in per_rule(rule):
                findings.append(finding)
        except Exception as e:  # noqa: BLE001 - one broken rule must not hide the others
            if on_error is None:
                raise
            on_error(rule, e)
    return findings
