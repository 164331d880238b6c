"""The vectorize and numba rewriters' EXAMPLES hold: each `Rewrite` turns `before` into exactly
`after` (the first candidate), each `Decline` declines with its reason; the finding comes from the
rule's own static finder on the marked line."""

from __future__ import annotations

import ast

import pytest

from optadvise import examples as ex
from optadvise.rewriters.base import Decline
from optadvise.rewriters.numba_jit import NumbaJit
from optadvise.rewriters.vectorize import Vectorize
from optadvise.rules import get_rule
from optadvise.rules.index import ModuleIndex

CASES = [(rw, e) for rw in (Vectorize(), NumbaJit()) for e in rw.EXAMPLES]


@pytest.mark.parametrize(("rewriter", "example"), CASES,
                         ids=[f"{rw.kind}-{i}" for i, (rw, _) in enumerate(CASES)])
def test_example(rewriter, example):
    rule = get_rule(example.rule)
    index = ModuleIndex(example.before, ex.EXAMPLE_FILE, ast.parse(example.before))
    site = next(s for s in rule.find(index) if s.lineno == ex.marked_line(example.before))
    finding = rule.finding(index, site, confidence="static")
    if isinstance(example, ex.Rewrite):
        assert rewriter.propose(example.before, finding, example.profile)[0].new == example.after
    else:
        with pytest.raises(Decline) as declined:
            rewriter.propose(example.before, finding, example.profile)
        assert example.reason in str(declined.value)


def test_examples_cover_rewrites_and_declines():
    for rw in (Vectorize(), NumbaJit()):
        kinds = {type(e) for e in rw.EXAMPLES}
        assert kinds == {ex.Rewrite, ex.Decline} and 3 <= len(rw.EXAMPLES) <= 6
