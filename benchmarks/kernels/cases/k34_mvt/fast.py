import numpy as np


def kernel_mvt(x1, x2, y1, y2, A):
    x1 += A @ y1
    x2 += A.T @ y2


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
