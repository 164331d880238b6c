"""Three matrix products G = (A@B) @ (C@D) with zeroed temporaries (polybench 3mm)."""
import numpy as np


def kernel_3mm(A, B, C, D):
    ni, nk = A.shape
    nj = B.shape[1]
    nm = C.shape[1]
    nl = D.shape[1]
    E = np.empty((ni, nj))
    F = np.empty((nj, nl))
    G = np.empty((ni, nl))
    for i in range(ni):
        for j in range(nj):
            E[i, j] = 0.0
            for k in range(nk):
                E[i, j] += A[i, k] * B[k, j]
    for i in range(nj):
        for j in range(nl):
            F[i, j] = 0.0
            for k in range(nm):
                F[i, j] += C[i, k] * D[k, j]
    for i in range(ni):
        for j in range(nl):
            G[i, j] = 0.0
            for k in range(nj):
                G[i, j] += E[i, k] * F[k, j]
    return G


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    A = rng.random((84, 92))
    B = rng.random((92, 78))
    C = rng.random((78, 96))
    D = rng.random((96, 86))
    G = kernel_3mm(A, B, C, D)
    print(f"sum={G.sum():.10e} g00={G[0, 0]:.10e} g_last={G[-1, -1]:.10e}")
