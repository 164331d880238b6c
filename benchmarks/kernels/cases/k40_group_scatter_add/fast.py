import numpy as np


def binned_stats(x, y, lo, hi, nbins):
    scale = nbins / (hi - lo)
    b = ((x - lo) * scale).astype(np.int64)
    counts = np.bincount(b, minlength=nbins)
    sums = np.zeros(nbins)
    np.add.at(sums, b, y)
    return counts, sums


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    x = rng.random(900_000) * 10.0
    y = np.sin(x) + rng.normal(0.0, 0.1, size=x.shape)
    counts, sums = binned_stats(x, y, 0.0, 10.0, 50)
    means = sums / counts
    print(f"n={int(counts.sum())} c0={int(counts[0])} cmax={int(counts.max())} m0={means[0]:.10e} msum={means.sum():.10e}")
