"""polybench gemver: rank-2 update of A, then x = beta A^T y + z and w = alpha A x, all as loops."""
import numpy as np


def init_array(n):
    fn = float(n)
    i = np.arange(n, dtype=float)
    u1 = i.copy()
    u2 = ((i + 1) / fn) / 2.0
    v1 = ((i + 1) / fn) / 4.0
    v2 = ((i + 1) / fn) / 6.0
    y = ((i + 1) / fn) / 8.0
    z = ((i + 1) / fn) / 9.0
    x = np.zeros(n)
    w = np.zeros(n)
    A = (np.outer(np.arange(n), np.arange(n)) % n) / fn
    return A, u1, v1, u2, v2, w, x, y, z


def kernel_gemver(n, alpha, beta, A, u1, v1, u2, v2, w, x, y, z):
    A += np.outer(u1, v1) + np.outer(u2, v2)
    x += beta * (A.T @ y)
    x += z
    w += alpha * (A @ x)


if __name__ == "__main__":
    n = 930
    A, u1, v1, u2, v2, w, x, y, z = init_array(n)
    kernel_gemver(n, 1.5, 1.2, A, u1, v1, u2, v2, w, x, y, z)
    print(f"A={A.sum():.10e} x={x.sum():.10e} w={w.sum():.10e} w0={w[0]:.10e} wn={w[n - 1]:.10e}")
