"""Integer sums over the strictly-lower triangle of a count matrix (pairs i > j)."""
import numpy as np


def lower_stats(counts):
    n = counts.shape[0]
    total = 0
    squares = 0
    for i in range(n):
        for j in range(0, i):
            total += counts[i, j]
            squares += counts[i, j] * counts[i, j]
    return total, squares


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    counts = rng.integers(0, 500, size=(2450, 2450), dtype=np.int64)
    total, squares = lower_stats(counts)
    print(f"total={total} squares={squares}")
