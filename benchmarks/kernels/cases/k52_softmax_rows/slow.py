"""Row-wise softmax of a matrix of logits, with the row maximum subtracted for stability."""
import math

import numpy as np


def softmax_rows(z):
    n, k = z.shape
    p = np.empty((n, k))
    for i in range(n):
        zmax = z[i, 0]
        for j in range(1, k):
            if z[i, j] > zmax:
                zmax = z[i, j]
        total = 0.0
        for j in range(k):
            p[i, j] = math.exp(z[i, j] - zmax)
            total += p[i, j]
        for j in range(k):
            p[i, j] /= total
    return p


if __name__ == "__main__":
    rng = np.random.default_rng(2)
    logits = rng.normal(0.0, 4.0, size=(14000, 100))
    probs = softmax_rows(logits)
    labels = rng.integers(0, 100, size=14000)
    nll = -np.log(probs[np.arange(14000), labels]).mean()
    print(f"nll={nll:.10e} pmax={probs.max():.10e} p00={probs[0, 0]:.10e} rows={probs.sum():.10e}")
