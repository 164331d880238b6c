"""Integer matrix product with Python lists of lists built from NumPy arrays."""
import numpy as np


def to_lists(arr):
    return [[int(v) for v in row] for row in arr]


def matmul_lists(X, Y):
    n, k, m = len(X), len(Y), len(Y[0])
    Z = [[0] * m for _ in range(n)]
    for i in range(n):
        for j in range(m):
            s = 0
            for p in range(k):
                s += X[i][p] * Y[p][j]
            Z[i][j] = s
    return Z


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    X = to_lists(rng.integers(-9, 10, size=(260, 283)))
    Y = to_lists(rng.integers(-9, 10, size=(283, 234)))
    Z = matmul_lists(X, Y)
    total = sum(sum(row) for row in Z)
    print(f"total={total} z00={Z[0][0]} z_last={Z[-1][-1]} trace={sum(Z[i][i] for i in range(100))}")
