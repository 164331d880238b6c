"""Scalar, vector and matrix multiplication y = alpha*A@x + beta*B@x (polybench gesummv)."""
import numpy as np


def init(n):
    rng = np.random.default_rng(0)
    A = rng.random((n, n))
    B = rng.random((n, n))
    x = rng.random(n)
    return A, B, x


def gesummv(alpha, beta, A, B, x):
    n = A.shape[0]
    tmp = np.zeros(n)
    y = np.zeros(n)
    for i in range(n):
        tmp[i] = 0.0
        y[i] = 0.0
        for j in range(n):
            tmp[i] = A[i, j] * x[j] + tmp[i]
            y[i] = B[i, j] * x[j] + y[i]
        y[i] = alpha * tmp[i] + beta * y[i]
    return y


def main():
    A, B, x = init(880)
    y = gesummv(1.5, 1.2, A, B, x)
    print(f"sum={y.sum():.10e} y0={y[0]:.10e} y_last={y[-1]:.10e}")


if __name__ == "__main__":
    main()
