"""Local maxima: each sample is compared with the largest of its neighbours within radius r."""
import numpy as np


def local_peaks(x, r):
    n = x.shape[0]
    peak = np.zeros(n, dtype=bool)
    best = np.full(n - 2 * r, -np.inf)
    for k in range(-r, r + 1):
        if k != 0:
            best = np.fmax(best, x[r + k:n - r + k])
    peak[r:n - r] = x[r:n - r] > best
    return peak


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    x = np.sin(np.linspace(0.0, 300.0, 200000)) + 0.3 * rng.standard_normal(200000)
    peak = local_peaks(x, 4)
    idx = np.flatnonzero(peak)
    print(f"count={idx.size} first={idx[:5].tolist()} sum={int(idx.sum())}")
