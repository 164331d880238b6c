"""`optadvise fix --scale-out` end to end: the verified process-pool remedy is followed by its Dask
version, verified equivalent on a real LocalCluster and reported with its local timing."""

from __future__ import annotations

import json

import pytest

from tests.helpers import optadvise, write

pytestmark = pytest.mark.slow
pytest.importorskip("distributed")

SCRIPT = """
    import threading
    from concurrent.futures import ThreadPoolExecutor


    def crunch(n):
        s = 0
        for k in range(n):
            s += k * k % 7
        return s


    if __name__ == "__main__":
        with ThreadPoolExecutor(2) as pool:
            print(list(pool.map(crunch, [1_500_000, 1_500_000])))
"""


def test_scale_out_adds_the_dask_version_with_its_local_timing(tmp_path):
    write(tmp_path, "work.py", SCRIPT)
    proc = optadvise("fix", "--scale-out", "--format", "json", "--min-speedup", "1.0", "work.py",
                     cwd=tmp_path, timeout=600)
    doc = json.loads(proc.stdout)
    kinds = {v["kind"]: v for v in doc["verdicts"]}
    if not kinds.get("processpool", {}).get("applied"):
        pytest.skip(f"the process pool did not verify on this loaded machine: {kinds}")
    dask = kinds["dask-pool"]
    assert dask["accepted"] and dask["applied"], dask
    assert "equivalent" in dask["reason"] and "local cluster" in dask["reason"]
    assert dask["t_candidate_s"] > 0 and dask["t_original_s"] > 0
    assert "get_executor()" in doc["diff"] and "DASK_SCHEDULER_ADDRESS" in doc["diff"]
    assert proc.returncode == 0, proc.stderr


def test_without_scale_out_no_dask_rewrite_is_tried(tmp_path):
    write(tmp_path, "work.py", SCRIPT)
    proc = optadvise("fix", "--format", "json", "--rule", "OA301", "work.py", cwd=tmp_path, timeout=600)
    doc = json.loads(proc.stdout)
    assert all(v["kind"] != "dask-pool" for v in doc["verdicts"] + doc["declines"])
