"""Two chained matrix products: D = alpha*A@B@C + beta*D (polybench 2mm)."""
import numpy as np


def two_mm(alpha, beta, A, B, C, D):
    ni, nk = A.shape
    nj = B.shape[1]
    nl = C.shape[1]
    tmp = np.zeros((ni, nj))
    for i in range(ni):
        for j in range(nj):
            tmp[i, j] = 0.0
            for k in range(nk):
                tmp[i, j] += alpha * A[i, k] * B[k, j]
    for i in range(ni):
        for j in range(nl):
            D[i, j] *= beta
            for k in range(nj):
                D[i, j] += tmp[i, k] * C[k, j]
    return D


def make(rows, cols, seed):
    return np.random.default_rng(seed).random((rows, cols))


def main():
    ni, nj, nk, nl = 94, 109, 125, 104
    A, B, C, D = make(ni, nk, 1), make(nk, nj, 2), make(nj, nl, 3), make(ni, nl, 4)
    D = two_mm(1.5, 1.2, A, B, C, D)
    print(f"sum={D.sum():.10e} d00={D[0, 0]:.10e} d_last={D[-1, -1]:.10e}")


if __name__ == "__main__":
    main()
