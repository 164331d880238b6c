"""BiCG sub-kernel: s = A^T r and q = A p computed in one sweep over A."""
import numpy as np


def bicg(A, r, p):
    n, m = A.shape
    s = np.zeros(m)
    q = np.zeros(n)
    for i in range(n):
        for j in range(m):
            s[j] = s[j] + r[i] * A[i, j]
            q[i] = q[i] + A[i, j] * p[j]
    return s, q


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    n, m = 1600, 1490
    A = rng.random((n, m))
    r = rng.random(n)
    p = rng.random(m)
    s, q = bicg(A, r, p)
    print(f"s_sum={s.sum():.10e} q_sum={q.sum():.10e} s0={s[0]:.10e} q_last={q[-1]:.10e}")
