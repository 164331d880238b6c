"""Sampled function table, stacks, threads and worker processes, from real profiled runs."""

from __future__ import annotations

import cProfile
import pstats
import runpy
import time

import pytest

from optadvise.profiling.probes import ArrayScanner
from optadvise.profiling.sampler import WARM_CHECK_TICK, WARM_TICKS, Sampler
from tests.helpers import REPO, function, profile_json, write

pytestmark = pytest.mark.slow

CALL_HEAVY = """
def tiny(x):
    return x + 1

def heavy(n):
    s = 0
    for i in range(n):
        s = tiny(s) + i % 7
    return s

def light(n):
    s = 0
    for i in range(n):
        s += i
    return s

if __name__ == "__main__":
    print(heavy(600_000) + light(60_000))
"""


def test_ranking_agrees_with_a_full_cprofile_run(tmp_path):
    script = write(tmp_path, "calls.py", CALL_HEAVY)
    full = cProfile.Profile()
    full.runcall(runpy.run_path, str(script), run_name="__main__")
    exact = {name: ct for (fn, _ln, name), (_cc, _nc, _tt, ct, _c) in pstats.Stats(full).stats.items()
             if fn == str(script) and name in ("heavy", "light")}
    proc, doc = profile_json(script, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert exact["heavy"] > exact["light"]
    heavy = function(doc, "heavy")
    assert heavy["sampled"] is True and heavy["calls"] == 1  # seen in the exact warm-up, not scaled
    light = [f for f in doc["functions"] if f["name"] == "light"]
    assert not light or light[0]["cum_s"] < heavy["cum_s"]  # the same order as cProfile's
    assert 300_000 < function(doc, "tiny")["calls"] < 1_200_000  # 600_000, scaled from the windows
    assert not [f for f in doc["functions"] if "builtins.exec" in f["name"]]  # the harness's own call
    assert any("sampled" in note for note in doc["notes"])


def _tiny(x: int) -> int:
    return x + 1


def _calls(seconds: float) -> None:
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        s = 0
        for _ in range(1000):
            s = abs(_tiny(s))  # ~4.8M calls a second under cProfile here: well above the threshold


def _arithmetic(seconds: float) -> None:
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        s = 0
        for i in range(1000):
            s += i * i % 7


@pytest.mark.parametrize(("work", "warm_ticks"), [(_calls, WARM_CHECK_TICK), (_arithmetic, WARM_TICKS)])
def test_the_warm_up_is_cut_short_for_call_heavy_code_only(tmp_path, work, warm_ticks):
    script = str(tmp_path / "script.py")
    sampler = Sampler(script, ArrayScanner(script))
    sampler.start()
    try:
        work(0.15)
    finally:
        sampler.stop()
    assert sampler.ticks > WARM_TICKS and sampler.warm_ticks == warm_ticks


def test_stacks_are_aggregated_bounded_and_outermost_first(tmp_path):
    script = write(tmp_path, "calls.py", CALL_HEAVY)
    proc, doc = profile_json(script, cwd=tmp_path)
    stacks = doc["stacks"]
    assert stacks and len(stacks) <= 200
    assert len({(s["thread"], tuple(s["frames"])) for s in stacks}) == len(stacks)
    for s in stacks:
        assert s["thread"] == "MainThread" and s["weight_s"] > 0
        assert s["frames"][0].startswith("<module> (")  # the harness's frames are left out
    assert any(s["frames"][-1].startswith("tiny (") and "calls.py:2)" in s["frames"][-1]
               for s in stacks)


def test_thread_workers_are_in_the_function_table(tmp_path):
    proc, doc = profile_json(REPO / "examples" / "threads.py", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    worker = function(doc, "count_primes")
    assert worker["cum_s"] > 0 and any(ln["time_s"] > 0 for ln in worker["lines"])
    threads = {s["thread"] for s in doc["stacks"] if any("count_primes" in f for f in s["frames"])}
    assert threads and "MainThread" not in threads
    assert len(doc["threads"]) == 4


def test_worker_processes_are_counted_with_their_function(tmp_path):
    script = write(tmp_path, "pool.py", """
        from concurrent.futures import ProcessPoolExecutor

        def work(n):
            return sum(k * k for k in range(n))

        if __name__ == "__main__":
            with ProcessPoolExecutor(max_workers=2) as pool:
                print(sum(pool.map(work, [200_000] * 4)))
    """)
    proc, doc = profile_json(script, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    kids = doc["children"]
    assert kids["processes"] >= 1 and kids["targets"] == {"work": 4}
    assert kids["cpu_s"] > 0 and kids["wall_s"] > 0
    assert any("worker process" in note for note in doc["notes"])


def test_no_children_record_without_worker_processes(tmp_path):
    script = write(tmp_path, "calls.py", CALL_HEAVY.replace("600_000", "100_000"))
    _proc, doc = profile_json(script, cwd=tmp_path)
    assert doc["children"] is None
