"""Row-normalise a count matrix into probabilities (module-level script)."""
import numpy as np

rng = np.random.default_rng(0)
counts = rng.integers(1, 100, size=(2370, 790)).astype(np.float64)
nrows, ncols = counts.shape
probs = np.empty_like(counts)
for r in range(nrows):
    row_total = 0.0
    for c in range(ncols):
        row_total += counts[r, c]
    for c in range(ncols):
        probs[r, c] = counts[r, c] / row_total

entropy = -(probs * np.log(probs)).sum(axis=1)
print(f"psum={probs.sum():.10e} p00={probs[0, 0]:.10e} entropy_mean={entropy.mean():.10e}")
