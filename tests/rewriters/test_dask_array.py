"""dask-array scale-out rewriter: a read-only memory map reduced whole becomes a chunked dask.array whose
reductions print the same; any other use of the map declines."""

from __future__ import annotations

import re

import numpy as np
import pytest

from optadvise.model import Finding, Profile
from optadvise.rewriters.base import Decline
from optadvise.rewriters.dask_array import DaskArrayRewriter, chunk_bytes
from tests.rewriters.scripts import numbers, run_script

pytest.importorskip("dask.array")

MAPPED = '''import numpy as np

x = np.load("big.npy", mmap_mode="r")
print(x.sum(), np.max(x, axis=0)[:3], x.mean())
'''


def finding(line: int = 3) -> Finding:
    return Finding(rule="large-in-ram-load", code="OA401", filename="s.py", lineno=line, end_lineno=line,
                   function="<module>", message="", fixes=["memmap"])


def test_reductions_of_a_memory_map_compute_chunk_by_chunk_and_print_the_same(tmp_path):
    np.save(tmp_path / "big.npy", np.arange(3_000_000, dtype=np.float64).reshape(1500, 2000) % 977)
    profile = Profile(script="s.py", argv=[], cwd=".", ram_bytes=2 * 2**30, cpu_count=2)
    (cand,) = DaskArrayRewriter().propose(MAPPED, finding(), profile)
    assert 'x = dask.array.from_array(np.load("big.npy", mmap_mode="r"), chunks="128 MiB")' in cand.new
    assert "print(x.sum().compute(), np.max(x, axis=0).compute()[:3], x.mean().compute())" in cand.new
    assert "import dask.array" in cand.new and cand.rtol == 1e-7
    small = Profile(script="s.py", argv=[], cwd=".", ram_bytes=64 * 2**20, cpu_count=2)
    (tiny,) = DaskArrayRewriter().propose(MAPPED, finding(), small)
    assert 'chunks="16 MiB"' in tiny.new  # the floor: never smaller chunks than 16 MiB
    expected = run_script(MAPPED, tmp_path)
    got = run_script(tiny.new, tmp_path)  # 16 MiB chunks of a 23 MiB array: two chunks really reduced
    assert numbers(got) == pytest.approx(numbers(expected), rel=1e-7) and numbers(expected)


def test_chunk_size_follows_ram_and_cores():
    assert chunk_bytes(Profile(script="s", argv=[], cwd=".", ram_bytes=8 * 2**30, cpu_count=64)) == 32 * 2**20
    assert chunk_bytes(None) == 128 * 2**20


@pytest.mark.parametrize("source, reason", [
    (MAPPED.replace("x.mean()", "x[0]"), "not only reduced"),
    (MAPPED.replace('mmap_mode="r"', 'mmap_mode="c"'), "no single read-only memory map"),
    (MAPPED.replace("print(", "x = x * 2\nprint("), "bound more than once"),
    ('import numpy as np\n\nx = np.load("big.npy", mmap_mode="r")\nprint(x.sum() + 1, len(x))\n', "len(x)"),
])
def test_declines(source, reason):
    with pytest.raises(Decline, match=re.escape(reason)):
        DaskArrayRewriter().propose(source, finding(), None)
