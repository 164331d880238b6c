"""large-in-ram-load (OA401) through the real profiler, with a real ~300 MB .npy file."""

from __future__ import annotations

import numpy as np
import pytest

from tests.helpers import findings, profile_json, write

pytestmark = pytest.mark.slow

ROWS, COLS = 2400, 16384  # float64: 300 MiB


@pytest.fixture
def big_npy(tmp_path):
    path = tmp_path / "frames.npy"
    mm = np.lib.format.open_memmap(path, mode="w+", dtype=np.float64, shape=(ROWS, COLS))
    mm[::100] = 1.0  # a few real rows; the rest stays sparse on disk
    mm.flush()
    del mm
    yield path
    path.unlink(missing_ok=True)


def test_whole_load_then_a_few_rows_fires_and_mmap_does_not(tmp_path, big_npy):
    script = """
        import numpy as np
        frames = np.load("frames.npy"{mode})
        print(frames[0].sum() + frames[100].sum() + frames[2300].sum())
    """
    write(tmp_path, "load.py", script.format(mode=""))
    proc, doc = profile_json("load.py", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    [f] = findings(doc, "large-in-ram-load")
    ev = f["evidence"]
    assert f["lineno"] == 3 and ev["api"] == "numpy.load" and ev["only_sliced"] is True
    assert ev["file_bytes"] >= ROWS * COLS * 8 and ev["mb"] >= 300
    assert f["fixes"] == ["memmap"]
    [load] = [ld for ld in doc["loads"] if ld["api"] == "numpy.load"]
    assert load["mmap"] is False and load["result_bytes"] == ROWS * COLS * 8

    write(tmp_path, "load.py", script.format(mode=', mmap_mode="r"'))
    proc, doc = profile_json("load.py", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert findings(doc, "large-in-ram-load") == []
    assert [ld["mmap"] for ld in doc["loads"] if ld["api"] == "numpy.load"] == [True]


def test_one_np_load_is_one_load(tmp_path):
    np.save(tmp_path / "small.npy", np.ones(300_000))  # 2.3 MiB: above the 1 MiB recording floor
    write(tmp_path, "one.py", """
        import numpy as np
        a = np.load("small.npy")
        print(a.sum())
    """)
    proc, doc = profile_json("one.py", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert [ld["api"] for ld in doc["loads"]] == ["numpy.load"], doc["loads"]
