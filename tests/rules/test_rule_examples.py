"""Every rule's VALID/INVALID examples, collected from optadvise.rules.RULES: the static `find` agrees.

An INVALID example needs a site on its `# <-` line. `check` reports only *confident* sites (the others
wait for runtime evidence in `profile`, e.g. a thread that sleeps), so a VALID one may yield
unconfident sites but no confident one.
"""

from __future__ import annotations

import ast

import pytest

from optadvise.rules import RULES
from optadvise.rules.engine import get_rule
from optadvise.rules.index import ModuleIndex

MARK = "# <-"


def _cases(kind: str) -> list:
    cases = []
    for rule in RULES:
        for k, src in enumerate(getattr(rule, kind)):
            marks = [pytest.mark.skip(reason=f"{rule.slug} is runtime-only (static = False)")] \
                if not rule.static else []
            cases.append(pytest.param(rule, src, id=f"{rule.slug}-{kind.lower()}-{k}", marks=marks))
    return cases


def _marked_line(src: str) -> int:
    lines = [n for n, line in enumerate(src.splitlines(), 1) if MARK in line]
    assert len(lines) == 1, f"an INVALID example marks exactly one line with `{MARK}`:\n{src}"
    return lines[0]


def test_every_static_rule_has_examples():
    for rule in RULES:
        if rule.static:
            assert rule.INVALID and rule.VALID, f"{rule.slug} needs VALID and INVALID examples"


@pytest.mark.parametrize("rule, src", _cases("INVALID"))
def test_invalid_example_is_flagged_on_the_marked_line(rule, src):
    ast.parse(src)  # the example itself must be valid Python
    expected = _marked_line(src)
    sites = rule.find(ModuleIndex(src))
    assert expected in {s.lineno for s in sites}, (
        f"{rule.slug}: expected a site on line {expected}, got {[(s.lineno, s.message) for s in sites]}")


@pytest.mark.parametrize("rule, src", _cases("VALID"))
def test_valid_example_is_not_flagged(rule, src):
    ast.parse(src)
    assert MARK not in src
    sites = [s for s in rule.find(ModuleIndex(src)) if s.confident]
    assert sites == [], f"{rule.slug} flagged a VALID example: {[(s.lineno, s.message) for s in sites]}"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.slug)
def test_rule_identity_and_docs(rule):
    assert get_rule(rule.slug) is rule and get_rule(rule.code.lower()) is rule
    assert rule.summary and len(rule.doc().splitlines()) > 3, "the docstring is the user documentation"
    assert rule.code.startswith("OA") and rule.slug == rule.slug.lower()


def test_codes_and_slugs_are_unique():
    assert len({r.code for r in RULES}) == len(RULES)
    assert len({r.slug for r in RULES}) == len(RULES)
