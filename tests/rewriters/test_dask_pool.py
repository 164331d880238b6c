"""dask-pool scale-out rewriter: a verified process-pool script run on a real (tiny) LocalCluster prints
the same; a scheduler address is taken from the environment; pools it cannot follow decline."""

from __future__ import annotations

import textwrap

import pytest

from optadvise.model import Finding
from optadvise.rewriters.base import Decline
from optadvise.rewriters.dask_pool import DaskPoolRewriter
from optadvise.rewriters.processpool import ProcessPoolRewriter
from tests.rewriters.scripts import run_script

pytest.importorskip("distributed")

THREADED = textwrap.dedent('''
    from concurrent.futures import ThreadPoolExecutor

    SCALE = 3


    def crunch(n):
        s = 0
        for k in range(n):
            s += (k * SCALE) % 7
        return s


    if __name__ == "__main__":
        with ThreadPoolExecutor(2) as pool:
            futures = [pool.submit(crunch, n) for n in (1000, 2000, 3000)]
            print([f.result() for f in futures], list(pool.map(crunch, [10, 20])))
''')


def finding(line: int) -> Finding:
    return Finding(rule="cpu-bound-threading", code="OA301", filename="s.py", lineno=line, end_lineno=line,
                   function="<module>", message="", fixes=["processpool"])


def process_pool_version() -> str:
    (cand,) = ProcessPoolRewriter().propose(THREADED, finding(14), None)
    return cand.new


def test_process_pool_becomes_a_dask_executor_that_prints_the_same(tmp_path):
    source = process_pool_version()
    (cand,) = DaskPoolRewriter().propose(source, finding(14), None)
    assert cand.kind == "dask-pool"
    assert ('with distributed.Client(os.environ.get("DASK_SCHEDULER_ADDRESS"), n_workers=2, '
            'threads_per_worker=1) as client, client.get_executor() as pool:') in cand.new
    assert "ProcessPoolExecutor" not in cand.new
    assert "import distributed" in cand.new and "import os" in cand.new
    expected = run_script(THREADED, tmp_path)
    assert expected.startswith("[") and run_script(cand.new, tmp_path, timeout=120) == expected


def test_unsized_pool_gets_cpu_count_workers_and_never_runs_in_the_main_loop():
    source = process_pool_version().replace("ProcessPoolExecutor(2)", "ProcessPoolExecutor()")
    rw = DaskPoolRewriter()
    assert not rw.applies(finding(14).__class__(**{**finding(14).__dict__, "fixes": ["dask-pool"]}))
    (cand,) = rw.propose(source, finding(14), None)
    assert "n_workers=os.cpu_count()" in cand.new


@pytest.mark.parametrize("source, reason", [
    (THREADED, "no ProcessPoolExecutor"),
    ("from concurrent.futures import ProcessPoolExecutor\n\npool = ProcessPoolExecutor(2)\n"
     "print(pool.submit(abs, -1).result())\npool.shutdown()\n", "not used in a `with` statement"),
])
def test_declines(source, reason):
    with pytest.raises(Decline, match=reason):
        DaskPoolRewriter().propose(source, finding(1), None)
