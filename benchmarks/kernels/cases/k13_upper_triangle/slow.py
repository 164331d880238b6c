"""Copy the strict upper triangle of a correlation-like matrix, scaled, into a new matrix."""
import numpy as np


def upper_part(M, scale):
    n = M.shape[0]
    U = np.zeros_like(M)
    for i in range(n):
        for j in range(i + 1, n):
            U[i, j] = scale * M[i, j]
    return U


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    M = rng.random((3100, 3100))
    U = upper_part(M, 2.0)
    print(f"usum={U.sum():.10e} u01={U[0, 1]:.10e} u10={U[1, 0]:.10e} nnz={np.count_nonzero(U)}")
