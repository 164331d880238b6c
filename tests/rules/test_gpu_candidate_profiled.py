"""gpu-candidate (OA501) stays silent where no CUDA device is usable."""

from __future__ import annotations

import pytest

from tests.helpers import findings, profile_json, write

pytestmark = pytest.mark.slow


def test_silent_without_a_gpu(tmp_path):
    write(tmp_path, "fft.py", """
        import numpy as np
        sig = np.random.default_rng(0).standard_normal((64, 32768))
        for _ in range(6):
            spec = np.fft.rfft(sig, axis=1)
            sig = np.fft.irfft(spec * 0.5, n=sig.shape[1], axis=1)
        print(float(sig.std()))
    """)
    proc, doc = profile_json("fft.py", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    if doc["gpu"]:
        pytest.skip(f"a GPU is usable here ({doc['gpu']})")
    assert findings(doc, "gpu-candidate") == []
