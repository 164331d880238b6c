"""y = A^T (A x): a matvec followed by a transposed matvec (reads A[k, i])."""
import numpy as np


def atax(A, x):
    m, n = A.shape
    tmp = np.zeros(m)
    y = np.zeros(n)
    for k in range(m):
        for j in range(n):
            tmp[k] += A[k, j] * x[j]
    for i in range(n):
        for k in range(m):
            y[i] += A[k, i] * tmp[k]
    return y


def main():
    m, n = 1400, 1300
    A = np.fromfunction(lambda i, j: ((i + j) % n) / (5.0 * m), (m, n))
    x = 1.0 + np.arange(n) / n
    y = atax(A, x)
    print(f"sum={y.sum():.10e} y0={y[0]:.10e} y_mid={y[n // 2]:.10e}")


if __name__ == "__main__":
    main()
