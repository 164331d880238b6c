"""In-place LU factorisation without pivoting (Doolittle) of a diagonally dominant matrix."""
import numpy as np


def lu_inplace(a):
    n = a.shape[0]
    for k in range(n):
        for i in range(k + 1, n):
            a[i, k] = a[i, k] / a[k, k]
            for j in range(k + 1, n):
                a[i, j] = a[i, j] - a[i, k] * a[k, j]
    return a


def make_matrix(n):
    rng = np.random.default_rng(0)
    m = rng.random((n, n))
    return m + n * np.eye(n)


if __name__ == "__main__":
    a = make_matrix(205)
    lu = lu_inplace(a.copy())
    L = np.tril(lu, -1) + np.eye(lu.shape[0])
    U = np.triu(lu)
    logdet = np.log(np.abs(np.diag(U))).sum()
    print(f"logdet={logdet:.10e} l_sum={L.sum():.10e} u_sum={U.sum():.10e} factor_ok={bool(np.allclose(L @ U, a))}")
