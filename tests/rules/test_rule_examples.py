"""Every rule's own examples, collected from optadvise.rules.RULES and run in-process.

Static examples go through `rule.find`: an INVALID one needs a site on its `# <-` line whose finding
offers the stated fixes; `check` reports only *confident* sites (the others wait for runtime evidence),
so a VALID one may yield unconfident sites but no confident one. MEASURED examples go through the
find -> confirm + discover loop against their hand-built profile, analysed as `EXAMPLE_FILE`.
"""

from __future__ import annotations

import ast

import pytest

from optadvise.examples import EXAMPLE_FILE, MARK, Invalid, Measured, Valid, marked_line
from optadvise.rules import RULES
from optadvise.rules.base import Rule
from optadvise.rules.engine import get_rule, measured_findings
from optadvise.rules.index import ModuleIndex


def _cases(kind: str) -> list:
    return [pytest.param(rule, example, id=f"{rule.slug}-{kind.lower()}-{k}")
            for rule in RULES for k, example in enumerate(getattr(rule, kind))]


def _sites(rule: Rule, src: str) -> str:
    return str([(s.lineno, s.message) for s in rule.find(ModuleIndex(src, EXAMPLE_FILE))])


def test_every_rule_has_examples():
    for rule in RULES:
        assert any(m.flagged for m in rule.MEASURED), f"{rule.slug} needs a flagged MEASURED example"
        assert any(not m.flagged for m in rule.MEASURED), f"{rule.slug} needs a silent MEASURED example"
        if rule.static:
            assert rule.INVALID and rule.VALID, f"{rule.slug} needs VALID and INVALID examples"
        else:  # runtime-only: `find` yields nothing, so static examples could not fail
            assert not rule.INVALID and not rule.VALID, f"{rule.slug} is runtime-only (static = False)"


def test_example_types():
    for rule in RULES:
        assert all(type(e) is Valid for e in rule.VALID), rule.slug
        assert all(type(e) is Invalid for e in rule.INVALID), rule.slug
        assert all(type(e) is Measured for e in rule.MEASURED), rule.slug


@pytest.mark.parametrize("rule, example", _cases("INVALID"))
def test_invalid_example_is_flagged_on_the_marked_line(rule: Rule, example: Invalid):
    src = example.code
    ast.parse(src)  # the example itself must be valid Python
    assert src.count(MARK) == 1, f"an INVALID example marks exactly one line with `{MARK}`:\n{src}"
    expected = marked_line(src)
    index = ModuleIndex(src, EXAMPLE_FILE)
    sites = [s for s in rule.find(index) if s.lineno == expected]
    assert sites, f"{rule.slug}: expected a site on line {expected}, got {_sites(rule, src)}"
    assert tuple(rule.finding(index, sites[0], confidence="static").fixes) == example.fixes


@pytest.mark.parametrize("rule, example", _cases("VALID"))
def test_valid_example_is_not_flagged(rule: Rule, example: Valid):
    src = example.code
    ast.parse(src)
    assert MARK not in src
    sites = [s for s in rule.find(ModuleIndex(src, EXAMPLE_FILE)) if s.confident]
    assert sites == [], f"{rule.slug} flagged a VALID example: {_sites(rule, src)}"


@pytest.mark.parametrize("rule, example", _cases("MEASURED"))
def test_measured_example(rule: Rule, example: Measured):
    src = example.code
    ast.parse(src)
    assert example.profile.script == EXAMPLE_FILE
    index = ModuleIndex(src, EXAMPLE_FILE)
    findings = [f for f in measured_findings(example.profile, index, [rule])]
    if not example.flagged:
        assert findings == [], f"{rule.slug} flagged a silent MEASURED example: {findings}"
        return
    expected = marked_line(src)
    on_line = [f for f in findings if f.lineno == expected]
    assert len(on_line) == 1, f"{rule.slug}: expected one finding on line {expected}, got {findings}"
    finding = on_line[0]
    assert (finding.code, finding.filename, finding.confidence) == (rule.code, EXAMPLE_FILE, "measured")
    assert set(finding.fixes) <= set(rule.fixes) and 0.0 < finding.share <= 1.0
    assert {k: finding.evidence.get(k) for k in example.evidence} == example.evidence


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.slug)
def test_rule_identity(rule: Rule):
    assert get_rule(rule.slug) is rule and get_rule(rule.code.lower()) is rule
    assert rule.code.startswith("OA") and rule.slug == rule.slug.lower()


def test_codes_and_slugs_are_unique():
    assert len({r.code for r in RULES}) == len(RULES)
    assert len({r.slug for r in RULES}) == len(RULES)
