"""Rule gpu-candidate (OA501): large FFT, linear-algebra and matmul work dominating a run, when a GPU is present."""

from __future__ import annotations

import ast

from optadvise.examples import Measured
from optadvise.model import MODULE, Finding, Profile
from optadvise.rules.base import Rule, Site
from optadvise.rules.evidence import enclosing_span, observed_arrays, span_share
from optadvise.rules.facts import array, facts, hot
from optadvise.rules.index import ModuleIndex

GPU_OPS = ("numpy.fft.", "numpy.linalg.", "numpy.matmul", "numpy.dot", "numpy.einsum",
           "scipy.fft.", "scipy.linalg.", "numpy.convolve")
MIN_SHARE = 0.20
MIN_ELEMENTS = 1_000_000
_FFT = ("import numpy as np\nsig = np.random.default_rng(0).standard_normal((256, 262144), dtype=np.float32)\n"
        "for _ in range(10):\n    spec = np.fft.rfft(sig, axis=1)  # <-\n")
_FFT_HOT = (hot(MODULE, 1, 1.0, {3: 0.05, 4: 0.85}),)  # the FFT loop: 90% of the run
_BIG = (256, 262144)


class GpuCandidate(Rule):
    """Large array work (FFT, linear algebra, matrix products) that dominates the run: a GPU candidate.

    ## What it does
    Flags an FFT, linear-algebra call or matrix product on arrays of at least a million elements
    whose loop (or line) takes at least a fifth of the run. It is reported only when CuPy imports
    and a CUDA device is present; without one it stays silent, so it runs in `optadvise profile`,
    not in the static `check`.

    ## Why is this bad?
    A modern GPU runs large FFTs, matrix products and element-wise kernels 10-100x faster than a
    CPU, once the data is on the device. Move the hot array section to CuPy (`cupy.asarray` in,
    `cupy.asnumpy` out), keeping a NumPy fallback; the rewrite is verified on the GPU itself with
    float32-aware tolerances.

    ## Example
    ```python
    import numpy as np

    sig = np.random.default_rng(0).standard_normal((256, 262144), dtype=np.float32)
    for _ in range(10):
        spec = np.fft.rfft(sig, axis=1)
    ```

    ## Use instead
    ```python
    import cupy
    import numpy as np

    sig = np.random.default_rng(0).standard_normal((256, 262144), dtype=np.float32)
    sig_gpu = cupy.asarray(sig)
    for _ in range(10):
        spec = cupy.asnumpy(cupy.fft.rfft(sig_gpu, axis=1))
    ```
    """

    slug = "gpu-candidate"
    code = "OA501"
    summary = "Large array work worth moving to CuPy when a GPU is present"
    fixes = ("cupy",)
    static = False
    MEASURED = (
        # a 256x262144 FFT loop taking 90% of the run, with a GPU present
        Measured(_FFT, facts(functions=_FFT_HOT, arrays=(array("sig", _BIG, "float32"),), gpu="NVIDIA H100"),
                 evidence={"ops": ["numpy.fft.rfft"], "arrays": ["sig"], "gpu": "NVIDIA H100"}),
        # the same run where no CUDA device is usable
        Measured(_FFT, facts(functions=_FFT_HOT, arrays=(array("sig", _BIG, "float32"),)), flagged=False),
        # a GPU, but a 64x1024 signal: too small to pay for the transfers
        Measured(_FFT, facts(functions=_FFT_HOT, arrays=(array("sig", (64, 1024), "float32"),),
                             gpu="NVIDIA H100"), flagged=False),
    )

    def discover(self, index: ModuleIndex, profile: Profile) -> list[Finding]:
        if not profile.gpu:
            return []
        findings = []
        for call in index.calls:
            if not (call.name or "").startswith(GPU_OPS) and not _has_matmul(index, call.node):
                continue
            node = call.node
            share = span_share(profile, index, call.function,
                               *enclosing_span(index, call.function, node.lineno))
            names = {n.id for a in node.args for n in ast.walk(a) if isinstance(n, ast.Name)}
            arrays = observed_arrays(profile, call.function, names)
            big = [a for a in arrays.values() if _elements(a.shape) >= MIN_ELEMENTS]
            if share < MIN_SHARE or not big:
                continue
            site = Site(node.lineno, node.end_lineno or node.lineno, node.col_offset, call.function, "")
            message = (f"{call.name} on {', '.join(a.name for a in big)} "
                       f"({max(_elements(a.shape) for a in big):,} elements) takes {share:.0%} of the "
                       f"run: a candidate for the GPU ({profile.gpu}) with CuPy.")
            findings.append(self.finding(index, site, message=message, share=share,
                                         evidence={"ops": [call.name], "gpu": profile.gpu,
                                                   "arrays": sorted(a.name for a in big)}))
        return findings


def _has_matmul(index: ModuleIndex, node: ast.AST) -> bool:
    parent = index.parents.get(node)
    return isinstance(parent, ast.BinOp) and isinstance(parent.op, ast.MatMult)


def _elements(shape: tuple[int, ...]) -> int:
    n = 1
    for s in shape:
        n *= s
    return n
