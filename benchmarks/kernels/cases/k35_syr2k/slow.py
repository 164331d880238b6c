"""Symmetric rank-2k update of the lower triangle: C = alpha*(A@B.T + B@A.T) + beta*C (polybench syr2k)."""
import numpy as np


def init(n, m):
    rng = np.random.default_rng(0)
    A = rng.random((n, m))
    B = rng.random((n, m))
    C = rng.random((n, n))
    return A, B, C


def syr2k(alpha, beta, C, A, B):
    n, m = A.shape
    for i in range(n):
        for j in range(i + 1):
            C[i, j] *= beta
        for k in range(m):
            for j in range(i + 1):
                C[i, j] += A[j, k] * alpha * B[i, k] + B[j, k] * alpha * A[i, k]
    return C


def main():
    A, B, C = init(130, 90)
    syr2k(1.5, 1.2, C, A, B)
    print(f"sum={C.sum():.10e} lower={np.tril(C).sum():.10e} c10={C[1, 0]:.10e} c01={C[0, 1]:.10e}")


if __name__ == "__main__":
    main()
