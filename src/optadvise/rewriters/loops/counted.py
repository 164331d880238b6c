"""Counted `while` loops: `i = start` (just before the loop in its block, or anywhere before it when
`start` is an integer literal) then `while i < stop:` whose body ends with `i += 1` and binds `i`
nowhere else is `for i in range(start, stop)` (`<=` counts to `stop + 1`), provided nothing leaves
the body early. The nest is vectorised in that form; the rest of the pipeline then proves what it
proves for any `for` loop (the bounds loop-invariant, so `stop` may be evaluated once; `i` not read
after the loop, where the `while` would leave it at `max(start, stop)`).
"""

from __future__ import annotations

from dataclasses import replace

import libcst as cst
import libcst.matchers as m

from optadvise.model import Finding
from optadvise.rewriters.cst import Tree

EXITS = (cst.Break, cst.Continue, cst.Return, cst.Raise)


def _counter(loop: cst.While) -> tuple[str, cst.BaseExpression] | None:
    """The counter name and the range() stop of `while i < stop` / `while i <= stop`."""
    test = loop.test
    if not (isinstance(test, cst.Comparison) and isinstance(test.left, cst.Name) and len(test.comparisons) == 1):
        return None
    op, stop = test.comparisons[0].operator, test.comparisons[0].comparator
    if isinstance(op, cst.LessThan):
        return test.left.value, stop
    if isinstance(op, cst.LessThanEqual):
        return test.left.value, cst.BinaryOperation(stop, cst.Add(), cst.Integer("1"))
    return None


def as_for_loop(tree: Tree, loop: cst.CSTNode, finding: Finding) -> tuple[str, Finding] | None:
    """The source with `i = start` and the counted `while` after it made one `for` loop, and the
    finding moved onto it; None when `loop` is not such a loop."""
    if not isinstance(loop, cst.While) or loop.orelse is not None or not isinstance(loop.body, cst.IndentedBlock):
        return None
    head = _counter(loop)
    block = tree.parent.get(loop)
    if head is None or not isinstance(block, (cst.IndentedBlock, cst.Module)):
        return None
    name, stop = head
    *body, last = loop.body.body
    step = m.SimpleStatementLine(body=[m.AugAssign(target=m.Name(name), operator=m.AddAssign(),
                                                   value=m.Integer("1"))])
    if not body or not m.matches(last, step) or any(name in tree.stores(s) for s in body) \
            or any(isinstance(n, EXITS) for s in body for n in tree.walk(s)):
        return None
    stmts = list(block.body)
    at = stmts.index(loop)
    setter = m.SimpleStatementLine(body=[m.Assign(targets=[m.AssignTarget(target=m.Name(name))])])
    init = next((k for k in range(at - 1, -1, -1) if name in tree.stores(stmts[k])), None)
    if init is None or not m.matches(stmts[init], setter):
        return None
    first = stmts[init].body[0].value  # type: ignore[attr-defined]
    if not isinstance(first, cst.Integer) and init + 1 < at:  # evaluated later: the same value then?
        return None
    zero = isinstance(first, cst.Integer) and first.value == "0"
    args = [cst.Arg(stop)] if zero else [cst.Arg(first), cst.Arg(stop)]
    new = cst.For(target=cst.Name(name), iter=cst.Call(cst.Name("range"), args),
                  body=loop.body.with_changes(body=body), leading_lines=loop.leading_lines)
    gone = stmts.pop(init)
    stmts[at - 1] = new
    after = stmts[init]  # the statement after `i = start` keeps the comments above it
    assert isinstance(gone, cst.SimpleStatementLine)
    assert isinstance(after, (cst.SimpleStatementLine, cst.BaseCompoundStatement))
    stmts[init] = after.with_changes(leading_lines=[*gone.leading_lines, *after.leading_lines])
    rebuilt = tree.module.deep_replace(block, block.with_changes(body=stmts))
    assert isinstance(rebuilt, cst.Module)
    shift = tree.end_line(gone) - tree.line(gone) + 1  # the lines of `i = start`, gone
    lineno = finding.lineno - shift
    return rebuilt.code, replace(finding, lineno=lineno, end_lineno=max(lineno, finding.end_lineno - shift - 1))
