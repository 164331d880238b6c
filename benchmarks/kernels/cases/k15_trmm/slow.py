"""Triangular matrix multiply: C = alpha * triu(U) @ B, summing only k >= i."""
import numpy as np


def trmm(alpha, U, B):
    n = U.shape[0]
    m = B.shape[1]
    C = np.zeros((n, m))
    for i in range(n):
        for j in range(m):
            acc = 0.0
            for k in range(i, n):
                acc += U[i, k] * B[k, j]
            C[i, j] = alpha * acc
    return C


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    U = rng.random((216, 216))
    B = rng.random((216, 149))
    C = trmm(1.5, U, B)
    print(f"sum={C.sum():.10e} c00={C[0, 0]:.10e} c_last={C[-1, -1]:.10e}")
