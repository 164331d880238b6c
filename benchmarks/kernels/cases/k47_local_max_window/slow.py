"""Local maxima: each sample is compared with the largest of its neighbours within radius r."""
import numpy as np


def local_peaks(x, r):
    n = x.shape[0]
    peak = np.zeros(n, dtype=bool)
    for i in range(r, n - r):
        best = -np.inf
        for k in range(i - r, i):
            best = max(best, x[k])
        for k in range(i + 1, i + r + 1):
            best = max(best, x[k])
        peak[i] = x[i] > best
    return peak


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    x = np.sin(np.linspace(0.0, 300.0, 200000)) + 0.3 * rng.standard_normal(200000)
    peak = local_peaks(x, 4)
    idx = np.flatnonzero(peak)
    print(f"count={idx.size} first={idx[:5].tolist()} sum={int(idx.sum())}")
