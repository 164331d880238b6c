"""Rule gpu-candidate (OA501)."""

from __future__ import annotations

import ast

from optadvise.model import Finding, Profile
from optadvise.rules.base import Rule, Site
from optadvise.rules.evidence import enclosing_span, observed_arrays, span_share
from optadvise.rules.index import ModuleIndex

GPU_OPS = ("numpy.fft.", "numpy.linalg.", "numpy.matmul", "numpy.dot", "numpy.einsum",
           "scipy.fft.", "scipy.linalg.", "numpy.convolve")
MIN_SHARE = 0.20
MIN_ELEMENTS = 1_000_000


class GpuCandidate(Rule):
    """Large array work (FFT, linear algebra, matrix products) that dominates the run: a GPU candidate.

    Why: a modern GPU runs large FFTs, matrix products and element-wise kernels 10-100x faster
    than a CPU, once the data is on the device. This rule is reported only when CuPy imports and
    a CUDA device is present; without one it stays silent.

    Fix: move the hot array section to CuPy (`cupy.asarray` in, `cupy.asnumpy` out), keeping a
    NumPy fallback; verified on the GPU itself with float32-aware tolerances.

    Example::

        spec = np.fft.rfft(sig, axis=1)      # flagged: 256x262144 float32, 70% of the run
        # becomes
        spec = cupy.fft.rfft(cupy.asarray(sig), axis=1)
    """

    slug = "gpu-candidate"
    code = "OA501"
    summary = "Large array work worth moving to CuPy when a GPU is present"
    fixes = ("cupy",)
    static = False

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
