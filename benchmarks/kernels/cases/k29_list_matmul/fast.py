import numpy as np


def to_lists(arr):
    return [[int(v) for v in row] for row in arr]


def matmul_lists(X, Y):
    return np.asarray(X, dtype=np.int64) @ np.asarray(Y, dtype=np.int64)


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    X = to_lists(rng.integers(-9, 10, size=(260, 283)))
    Y = to_lists(rng.integers(-9, 10, size=(283, 234)))
    Z = matmul_lists(X, Y)
    total = int(Z.sum())
    print(f"total={total} z00={Z[0][0]} z_last={Z[-1][-1]} trace={int(np.trace(Z[:100, :100]))}")
