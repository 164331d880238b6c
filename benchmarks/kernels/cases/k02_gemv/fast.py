import numpy as np


def matvec(A, x, y, beta):
    return beta * y + A @ x


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    n, m = 1870, 2280
    A = rng.standard_normal((n, m))
    x = rng.standard_normal(m)
    y = rng.standard_normal(n)
    y = matvec(A, x, y, 0.5)
    print(f"norm={np.linalg.norm(y):.10e} y0={y[0]:.10e} y_last={y[-1]:.10e}")
