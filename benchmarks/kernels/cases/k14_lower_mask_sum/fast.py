import numpy as np


def lower_stats(counts):
    low = np.tril(counts, k=-1)
    return int(low.sum()), int((low * low).sum())


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    counts = rng.integers(0, 500, size=(2450, 2450), dtype=np.int64)
    total, squares = lower_stats(counts)
    print(f"total={total} squares={squares}")
