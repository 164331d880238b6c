import numpy as np


def lu_inplace(a):
    n = a.shape[0]
    for k in range(n):
        a[k + 1:, k] /= a[k, k]
        a[k + 1:, k + 1:] -= np.outer(a[k + 1:, k], a[k, k + 1:])
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
