import numpy as np


def upper_part(M, scale):
    return np.triu(scale * M, k=1)


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    M = rng.random((3100, 3100))
    U = upper_part(M, 2.0)
    print(f"usum={U.sum():.10e} u01={U[0, 1]:.10e} u10={U[1, 0]:.10e} nnz={np.count_nonzero(U)}")
