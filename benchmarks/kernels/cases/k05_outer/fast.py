import numpy as np


def outer(counts, weights):
    return np.multiply.outer(counts, weights).astype(np.int64)


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    counts = rng.integers(0, 1000, size=2350)
    weights = rng.integers(-50, 50, size=2300)
    T = outer(counts, weights)
    print(f"total={T.sum()} max={T.max()} t12={T[1, 2]} diag={np.trace(T)}")
