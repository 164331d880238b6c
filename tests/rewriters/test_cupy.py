"""cupy rewriter: declines without CuPy/GPU; the transformation itself is checked (and run on NumPy)."""

from __future__ import annotations

import numpy as np
import pytest

from optadvise.examples import marked_line
from optadvise.gpu import gpu_name
from optadvise.model import Finding
from optadvise.rewriters.base import Decline
from optadvise.rewriters.cupy_gpu import CupyRewriter, transform
from tests.rewriters.scripts import numbers, run_script

SRC = '''import numpy as np

def filt(n):
    rng = np.random.default_rng(12)
    sig = rng.standard_normal((8, n)).astype(np.float32)
    w = rng.standard_normal((n // 2 + 1, 4)).astype(np.complex64)
    spec = np.fft.rfft(sig, axis=1)  # <-
    spec[:, 20:] = 0
    proj = spec @ w
    back = np.fft.irfft(spec, n=sig.shape[1], axis=1)
    return float((back ** 2).sum()), float(np.abs(proj).sum())

print("%.6e %.6e" % filt(256))
'''


def finding(src: str) -> Finding:
    line = marked_line(src)
    return Finding(rule="gpu-candidate", code="OA501", filename="s.py", lineno=line, end_lineno=line,
                   function="filt", message="", fixes=["cupy"], evidence={"ops": ["numpy.fft.rfft"]})


def run(code: str, tmp_path) -> list[float]:
    return numbers(run_script(code, tmp_path, timeout=120))


def test_declines_without_cupy_or_device():
    if gpu_name() is not None:
        pytest.skip("a CUDA device is present")
    with pytest.raises(Decline, match="CuPy or a CUDA device is not available"):
        CupyRewriter().propose(SRC, finding(SRC), None)


def test_transform_moves_the_section():
    new, desc = transform(SRC, finding(SRC))
    compile(new, "new", "exec")
    assert "import cupy as xp" in new and "import numpy as xp" in new  # lazy import with fallback
    assert "sig_d = xp.asarray(sig)" in new and "w_d = xp.asarray(w)" in new
    assert "spec = xp.fft.rfft(sig_d, axis=1)" in new and "proj = spec @ w_d" in new
    assert "back = to_host(back)" in new and "proj = to_host(proj)" in new
    assert "spec = to_host(spec)" not in new  # not used after the section
    assert "rng.standard_normal((8, n))" in new  # the host setup is left alone
    assert desc.startswith("lines 7-10")


@pytest.mark.slow
def test_transform_runs_the_same_on_numpy_fallback(tmp_path):
    if gpu_name() is not None:
        pytest.skip("covered by the GPU test")
    new, _ = transform(SRC, finding(SRC))
    assert run(new, tmp_path) == run(SRC, tmp_path)


NEGATIVE = {
    "writes_host_array": "import numpy as np\na = np.ones((4, 4))\na[0] = 2  # <-\nb = np.fft.fft(a)\n",
    "no_heavy_op": "import numpy as np\na = np.ones(4)\nb = np.exp(a)  # <-\nprint(b)\n",
    "other_call": "import numpy as np\na = np.ones(4)\nprint(np.fft.fft(a))  # <-\n",
    "user_function": "import numpy as np\na = np.ones(4)\nb = np.fft.fft(g(a))  # <-\n",
}


@pytest.mark.parametrize("name", sorted(NEGATIVE))
def test_transform_declines(name):
    src = NEGATIVE[name]
    with pytest.raises(Decline):
        transform(src, finding(src))


@pytest.mark.gpu
def test_gpu_rewrite_matches(tmp_path):
    pytest.importorskip("cupy")
    if gpu_name() is None:
        pytest.skip("no CUDA device")
    (cand,) = CupyRewriter().propose(SRC, finding(SRC), None)
    assert np.allclose(run(cand.new, tmp_path), run(SRC, tmp_path), rtol=cand.rtol)
