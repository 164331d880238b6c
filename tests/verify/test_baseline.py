"""The original's baseline: as few runs of the original as the comparisons need. A script that writes
no file runs once; what varies between its runs is learnt only when a candidate's output differs."""

import pytest

from optadvise.verify import Verifier

from .helpers import edit, listing, write

pytestmark = pytest.mark.slow

TIMED = '''
    import time
    t0 = time.perf_counter()
    total = sum(k * k for k in range(20000))
    print(f"total {total} mean {total / 20000:.6f}")
    print(f"took {time.perf_counter() - t0:.9f} s")
'''


def test_a_script_writing_no_file_runs_once_until_a_candidate_differs(tmp_path):
    write(str(tmp_path), "slow.py", TIMED)
    source = (tmp_path / "slow.py").read_text()
    before = listing(str(tmp_path))
    with Verifier("slow.py", [], timeout=60, cwd=str(tmp_path)) as v:
        base = v.baseline()
        assert base.error is None and len(base.times) == 1 and not base.varied
        ok = v.verify(edit(source, ("total / 20000", "total / 20000.0")), min_speedup=0.1, timed=False)
        assert ok.accepted, ok.reason  # the printed timing differs: learnt from one more run
        assert base.varied and len(base.times) == 2 and len(base.volatile) == 1
        bad = v.verify(edit(source, ("total / 20000", "total / 20001")), min_speedup=0.1, timed=False)
    assert not bad.accepted and "numbers differ" in bad.reason
    assert listing(str(tmp_path)) == before


def test_an_exact_match_needs_no_second_run(tmp_path):
    write(str(tmp_path), "slow.py", 'print("value", sum(range(1000)) / 7)\n')
    source = (tmp_path / "slow.py").read_text()
    with Verifier("slow.py", [], timeout=60, cwd=str(tmp_path)) as v:
        ok = v.verify(edit(source, ("sum(range(1000))", "(999 * 1000 // 2)")), min_speedup=0.1, timed=False)
        assert ok.accepted, ok.reason
        assert not v.baseline().varied and len(v.baseline().times) == 1


def test_unseeded_randomness_still_refuses_when_learnt_late(tmp_path):
    write(str(tmp_path), "slow.py", '''
        import numpy as np
        x = np.random.default_rng().random(100)
        print(f"sum {x.sum():.6f} mean {x.mean():.6f}")
    ''')
    source = (tmp_path / "slow.py").read_text()
    with Verifier("slow.py", [], timeout=60, cwd=str(tmp_path)) as v:
        first = v.verify(edit(source, ("x.mean()", "np.mean(x)")), min_speedup=0.1, timed=False)
        later = v.verify(edit(source, ("x.sum()", "np.sum(x)")), min_speedup=0.1, timed=False)
    assert not first.accepted and "unseeded" in first.reason
    assert not later.accepted and "unseeded" in later.reason


def test_a_script_writing_files_learns_what_varies_up_front(tmp_path):
    write(str(tmp_path), "slow.py", '''
        import time
        with open("out.txt", "w") as fh:
            fh.write(f"{sum(range(1000))}\\n")
        print(f"took {time.perf_counter():.9f}")
    ''')
    before = listing(str(tmp_path))
    with Verifier("slow.py", [], timeout=60, cwd=str(tmp_path)) as v:
        base = v.baseline()
        assert base.error is None and base.varied and len(base.times) == 2 and len(base.volatile) == 1
        assert len(base.outputs) == 1
    assert listing(str(tmp_path)) == before
