"""Per-bin counts and means of values binned by a second variable (a histogram with a scatter-add)."""
import numpy as np


def binned_stats(x, y, lo, hi, nbins):
    counts = np.zeros(nbins, dtype=np.int64)
    sums = np.zeros(nbins)
    scale = nbins / (hi - lo)
    for i in range(x.shape[0]):
        b = int((x[i] - lo) * scale)
        counts[b] += 1
        sums[b] += y[i]
    return counts, sums


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    x = rng.random(900_000) * 10.0
    y = np.sin(x) + rng.normal(0.0, 0.1, size=x.shape)
    counts, sums = binned_stats(x, y, 0.0, 10.0, 50)
    means = sums / counts
    print(f"n={int(counts.sum())} c0={int(counts[0])} cmax={int(counts.max())} m0={means[0]:.10e} msum={means.sum():.10e}")
