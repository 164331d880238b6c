"""Integer multiplication table (outer product) of two count vectors, then a weighted total."""
import numpy as np


def outer(counts, weights):
    n, m = len(counts), len(weights)
    table = np.empty((n, m), dtype=np.int64)
    for i in range(n):
        for j in range(m):
            table[i, j] = counts[i] * weights[j]
    return table


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    counts = rng.integers(0, 1000, size=2350)
    weights = rng.integers(-50, 50, size=2300)
    T = outer(counts, weights)
    print(f"total={T.sum()} max={T.max()} t12={T[1, 2]} diag={np.trace(T)}")
