"""dtype-narrow rewriter: a narrowed int64 array verifies where its values fit, and the verifier rejects
the narrowing where later arithmetic overflows the smaller dtype; floats and stored-into arrays decline."""

from __future__ import annotations

import textwrap

import pytest

from optadvise.model import Finding
from optadvise.rewriters.base import Decline
from optadvise.rewriters.dtype_narrow import DtypeNarrowRewriter
from optadvise.verify.verifier import verify_candidate
from tests.helpers import write

pytestmark = pytest.mark.slow


def finding(line: int, fits: str = "int16") -> Finding:
    return Finding(rule="oversized-dtype", code="OA602", filename="s.py", lineno=line, end_lineno=line,
                   function="<module>", message="", fixes=["dtype-narrow"], evidence={"fits": fits})


SCRIPT = """
    import numpy as np

    rng = np.random.default_rng(0)
    labels = rng.integers(0, 1000, 2_000_000)
    print(np.bincount(labels).max(), labels.sum(), {extra})
"""


@pytest.mark.parametrize("extra, accepted", [("labels.max()", True), ("(labels * 100).max()", False)])
def test_narrowed_labels_verify_only_when_results_are_unchanged(tmp_path, extra, accepted):
    source = write(tmp_path, "s.py", SCRIPT.format(extra=extra)).read_text()
    (cand,) = DtypeNarrowRewriter().propose(source, finding(5), None)
    assert "rng.integers(0, 1000, 2_000_000).astype(np.int16)" in cand.new  # the same random stream
    verdict = verify_candidate(cand, "s.py", [], timeout=120, min_speedup=0.0, cwd=str(tmp_path), runs=1)
    assert verdict.accepted is accepted, verdict.reason  # (labels * 100) overflows int16: 99_900 > 32_767


def test_factory_gets_dtype():
    (cand,) = DtypeNarrowRewriter().propose("import numpy as np\nx = np.arange(9, dtype=np.int64)\n", finding(2), None)
    assert "x = np.arange(9, dtype=np.int16)" in cand.new


@pytest.mark.parametrize("source, fits, reason", [
    ("import numpy as np\nx = np.ones(9)\n", "float32", "advice, not a rewrite"),
    ("import numpy as np\nx = np.zeros(9, dtype=np.uint8)\n", "int16", "allocated with dtype=np.uint8"),
    ("import numpy as np\nx = np.zeros(9)\nx += 70000\n", "int16", "stored into"),
    ("import numpy as np\nx = np.zeros(9)\nx[2:] = 70000\n", "int16", "stored into"),
    ("import numpy as np\nx, y = np.zeros(9), 1\n", "int16", "not `name = value`"),
])
def test_declines(source, fits, reason):
    with pytest.raises(Decline, match=reason):
        DtypeNarrowRewriter().propose(textwrap.dedent(source), finding(2, fits), None)
