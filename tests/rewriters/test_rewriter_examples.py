"""Every registered rewriter's EXAMPLES: the rewrite gives exactly `after`, or declines with `reason`.

The finding an example starts from is the one the named rule's own static `find` reports on the
marked line. `dense-mostly-zero` and `gpu-candidate` find nothing statically (they need measured zero
fractions or a device), so for them the finding is built from the marked line itself. The CuPy
rewrite is a pure source transformation: the device probe is stubbed as present so that it is
checked on any machine.
"""

from __future__ import annotations

import ast

import pytest

from optadvise import examples
from optadvise.model import MODULE, Finding
from optadvise.rewriters import Decline, Rewriter, cupy_gpu, load_all
from optadvise.rules.base import Site
from optadvise.rules.engine import get_rule
from optadvise.rules.index import ModuleIndex


def _cases() -> list:
    return [pytest.param(rw, ex, id=f"{rw.kind}-{type(ex).__name__.lower()}-{k}")
            for rw in load_all() for k, ex in enumerate(rw.EXAMPLES)]


def _finding(rw: Rewriter, ex: examples.Rewrite | examples.Decline) -> Finding:
    rule = get_rule(ex.rule)
    assert rw.kind in rule.fixes, f"{ex.rule} does not offer the {rw.kind} fix"
    index = ModuleIndex(ex.before, examples.EXAMPLE_FILE, ast.parse(ex.before))
    line = examples.marked_line(ex.before)
    if rule.static:
        sites = [s for s in rule.find(index) if s.lineno == line]
        assert sites, f"{ex.rule} finds nothing on line {line}"
        site = sites[0]
    else:  # runtime-only rule: its finder needs measurements, so the marked line is the site
        site = Site(line, line, 0, MODULE, "")
    return rule.finding(index, site, confidence="static", fixes=(rw.kind,))


def test_every_rewriter_has_examples():
    for rw in load_all():
        if rw.kind in ("sparse", "memmap", "processpool", "cupy"):
            assert 2 <= len(rw.EXAMPLES) <= 6, f"{rw.kind} needs 2-6 examples"


@pytest.mark.parametrize("rw, ex", _cases())
def test_example(rw, ex, monkeypatch):
    monkeypatch.setattr(cupy_gpu, "gpu_name", lambda: "a test device")
    finding = _finding(rw, ex)
    if isinstance(ex, examples.Rewrite):
        (cand,) = rw.propose(ex.before, finding, ex.profile)
        assert cand.new == ex.after
    else:
        with pytest.raises(Decline) as declined:
            rw.propose(ex.before, finding, ex.profile)
        assert ex.reason in str(declined.value)
