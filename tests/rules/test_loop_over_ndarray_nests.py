"""loop-over-ndarray on nests whose outer loop carries the dependence: vectorize is offered before
Numba (the nest inside may vectorise), while a single recurrence or an early exit gets Numba only."""

from __future__ import annotations

import pytest

from optadvise.examples import EXAMPLE_FILE, marked_line
from optadvise.rules.engine import get_rule, measured_findings
from optadvise.rules.facts import array, facts, hot
from optadvise.rules.index import ModuleIndex

LU = ("import numpy as np\ndef lu(a):\n    n = a.shape[0]\n    for k in range(n):  # <-\n"
      "        for i in range(k + 1, n):\n            a[i, k] = a[i, k] / a[k, k]\n"
      "            for j in range(k + 1, n):\n                a[i, j] = a[i, j] - a[i, k] * a[k, j]\n"
      "    return a\n")
RECURRENCE = ("import numpy as np\ndef run(c, a):\n    n = a.shape[0]\n    for i in range(1, n):  # <-\n"
              "        c[i] = c[i - 1] + a[i]\n    return c\n")
EARLY_EXIT = ("import numpy as np\ndef scan(a):\n    n, m = a.shape\n    for i in range(1, n):  # <-\n"
              "        for j in range(m):\n            a[i, j] = a[i - 1, j] + 1.0\n"
              "            if a[i, j] > 9.0:\n                return a\n    return a\n")


@pytest.mark.parametrize("src, function, fixes", [
    (LU, "lu", ["vectorize", "numba"]),
    (RECURRENCE, "run", ["numba"]),
    (EARLY_EXIT, "scan", ["numba"]),
])
def test_carried_nests_offer_vectorize_first(src: str, function: str, fixes: list[str]) -> None:
    line = marked_line(src)
    prof = facts(functions=(hot(function, line - 2, 0.9, {line: 0.9}),),
                 arrays=tuple(array(n, (50, 50), function=function) for n in ("a", "c")))
    [f] = [f for f in measured_findings(prof, ModuleIndex(src, EXAMPLE_FILE), [get_rule("loop-over-ndarray")])
           if f.lineno == line]
    assert f.evidence["dependence"] == "carried" and list(f.fixes) == fixes


RUNNING = "import numpy as np\ndef peak(a, b):\n    m = 0.0\n    for i in range(a.shape[0]):  # <-\n{body}    return m\n"


@pytest.mark.parametrize("body, dependence", [
    ("        d = abs(a[i] - b[i])\n        if d > m:\n            m = d\n", "reduction"),
    ("        if m >= a[i]:\n            m = a[i]\n", "reduction"),
    ("        m = max(m, a[i] * b[i])\n", "reduction"),
    ("        if a[i] > m:\n            m = b[i]\n", "carried"),  # keeps another value than it compares
    ("        m = max(m, a[i]) + 1.0\n", "carried"),
    ("        if a[i] > m:\n            m = a[i]\n        m = m * 0.5\n", "carried"),
])
def test_a_running_extreme_is_a_reduction_not_a_recurrence(body: str, dependence: str) -> None:
    src = RUNNING.format(body=body)
    line = marked_line(src)
    prof = facts(functions=(hot("peak", line - 2, 0.9, {line: 0.9}),),
                 arrays=tuple(array(n, (5000,), function="peak") for n in ("a", "b")))
    [f] = [f for f in measured_findings(prof, ModuleIndex(src, EXAMPLE_FILE), [get_rule("loop-over-ndarray")])
           if f.lineno == line]
    assert f.evidence["dependence"] == dependence
    assert list(f.fixes) == (["vectorize", "numba"] if dependence == "reduction" else ["numba"])


@pytest.mark.parametrize("loop, fixes", [
    ("    i = 0\n    while i < a.shape[0]:  # <-\n        b[i] = a[i] * 2.0\n        i += 1\n", ["vectorize", "numba"]),
    ("    i = 0\n    while i < a.shape[0]:  # <-\n        b[i] = a[i] * 2.0\n        i += 2\n", ["numba"]),
    ("    i = 0\n    while a[i] > 0.0:  # <-\n        b[i] = a[i] * 2.0\n        i += 1\n", ["numba"]),
])
def test_a_counted_while_loop_is_offered_vectorize_like_a_for_loop(loop: str, fixes: list[str]) -> None:
    src = f"import numpy as np\ndef double(a, b):\n{loop}    return b\n"
    line = marked_line(src)
    prof = facts(functions=(hot("double", line - 2, 0.9, {line: 0.9}),),
                 arrays=tuple(array(n, (5000,), function="double") for n in ("a", "b")))
    [f] = [f for f in measured_findings(prof, ModuleIndex(src, EXAMPLE_FILE), [get_rule("loop-over-ndarray")])
           if f.lineno == line]
    assert list(f.fixes) == fixes, f.evidence
