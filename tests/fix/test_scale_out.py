"""`fix --scale-out`: the Dask version of an applied process-pool remedy is verified equivalent on a
real LocalCluster, applied although it is not faster, and reported with its local timing."""

from __future__ import annotations

import numpy as np
import pytest

from optadvise import rewriters
from optadvise.commands.scale_out import scale_out
from optadvise.model import Attempt, Finding, FixReport, Verdict
from optadvise.report.fix_text import render_fix_text
from optadvise.report.terminal import Terminal
from optadvise.rewriters.memmap import MemmapRewriter
from optadvise.rewriters.processpool import ProcessPoolRewriter
from optadvise.verify import Verifier
from tests.helpers import optadvise, write

pytestmark = pytest.mark.slow
pytest.importorskip("distributed")

SCRIPT = """
    from concurrent.futures import ThreadPoolExecutor


    def crunch(n):
        s = 0
        for k in range(n):
            s += k * k % 7
        return s


    if __name__ == "__main__":
        with ThreadPoolExecutor(2) as pool:
            print(list(pool.map(crunch, [200_000, 300_000])))
"""


def _report(tmp_path) -> FixReport:
    """A fix report whose process-pool rewrite of SCRIPT was applied (as fix's main loop leaves it)."""
    original = write(tmp_path, "work.py", SCRIPT).read_text()
    finding = Finding(rule="cpu-bound-threading", code="OA301", filename="work.py", lineno=13, end_lineno=13,
                      function="<module>", message="", fixes=["processpool"])
    (cand,) = ProcessPoolRewriter().propose(original, finding, None)
    done = Attempt(finding, "processpool", Verdict(cand, True, "verified"), applied=True)
    return FixReport("work.py", [], original, cand.new, [finding], attempts=[done])


def test_dask_version_is_verified_applied_and_timed_honestly(tmp_path):
    report = _report(tmp_path)
    process_version = report.final
    with Verifier("work.py", [], timeout=300, cwd=str(tmp_path), runs=1) as ver:
        scale_out(ver, report, None, rewriters.load_all(), "work.py")
    [row] = [a for a in report.attempts if a.kind == "dask-pool"]
    assert row.verdict is not None and row.verdict.accepted and row.applied, row.verdict
    assert "equivalent" in row.verdict.reason and "run locally" in row.verdict.reason
    assert row.verdict.t_candidate_s and row.verdict.t_original_s  # timed against the process pool
    assert report.final == row.verdict.candidate.new != process_version
    assert "client.get_executor() as pool" in report.final
    text = render_fix_text(report, Terminal(width=200, color=False))
    assert "dask-pool" in text and "run locally against" in text  # the local timing, not "x faster"


def test_a_wrong_dask_version_is_rejected(tmp_path, monkeypatch):
    report = _report(tmp_path)
    real = rewriters.dask_pool.DaskPoolRewriter.propose

    def wrong(self, source, finding, profile):
        (cand,) = real(self, source, finding, profile)
        cand.new = cand.new.replace("[200_000, 300_000]", "[200_000, 300_001]")
        return [cand]

    monkeypatch.setattr(rewriters.dask_pool.DaskPoolRewriter, "propose", wrong)
    process_version = report.final
    with Verifier("work.py", [], timeout=300, cwd=str(tmp_path), runs=1) as ver:
        scale_out(ver, report, None, rewriters.load_all(), "work.py")
    [row] = [a for a in report.attempts if a.kind == "dask-pool"]
    assert row.verdict is not None and not row.verdict.accepted and not row.applied
    assert report.final == process_version


def test_memory_map_reduction_becomes_dask_array_verified_equivalent(tmp_path):
    np.save(tmp_path / "big.npy", np.arange(2_000_000, dtype=np.float64).reshape(1000, 2000) % 991)
    original = write(tmp_path, "reduce.py", """
        import numpy as np

        x = np.load("big.npy")
        print(x.sum(), x.max(axis=0)[:4])
    """).read_text()
    finding = Finding(rule="large-in-ram-load", code="OA401", filename="reduce.py", lineno=4, end_lineno=4,
                      function="<module>", message="", fixes=["memmap"])
    (cand,) = MemmapRewriter().propose(original, finding, None)
    report = FixReport("reduce.py", [], original, cand.new, [finding],
                       attempts=[Attempt(finding, "memmap", Verdict(cand, True, "verified"), applied=True)])
    with Verifier("reduce.py", [], timeout=300, cwd=str(tmp_path), runs=1) as ver:
        scale_out(ver, report, None, rewriters.load_all(), "reduce.py")
    [row] = [a for a in report.attempts if a.kind == "dask-array"]
    assert row.verdict is not None and row.verdict.accepted and row.applied, row.verdict
    assert "dask.array.from_array(" in report.final and "x.sum().compute()" in report.final


def test_cli_offers_scale_out():
    proc = optadvise("fix", "--help")
    assert proc.returncode == 0 and "--scale-out" in proc.stdout
