"""Matrix-vector product and transpose: x1 += A@y1, x2 += A.T@y2 (polybench mvt)."""
import numpy as np


def kernel_mvt(x1, x2, y1, y2, A):
    n = A.shape[0]
    for i in range(n):
        for j in range(n):
            x1[i] = x1[i] + A[i, j] * y1[j]
    for i in range(n):
        for j in range(n):
            x2[i] = x2[i] + A[j, i] * y2[j]


if __name__ == "__main__":
    n = 1000
    rng = np.random.default_rng(0)
    A = rng.random((n, n))
    x1 = rng.random(n)
    x2 = rng.random(n)
    y1 = rng.random(n)
    y2 = rng.random(n)
    kernel_mvt(x1, x2, y1, y2, A)
    print(f"x1={x1.sum():.10e} x2={x2.sum():.10e} x1_0={x1[0]:.10e} x2_last={x2[-1]:.10e}")
