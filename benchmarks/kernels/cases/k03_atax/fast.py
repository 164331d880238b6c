import numpy as np


def atax(A, x):
    return A.T @ (A @ x)


def main():
    m, n = 1400, 1300
    A = np.fromfunction(lambda i, j: ((i + j) % n) / (5.0 * m), (m, n))
    x = 1.0 + np.arange(n) / n
    y = atax(A, x)
    print(f"sum={y.sum():.10e} y0={y[0]:.10e} y_mid={y[n // 2]:.10e}")


if __name__ == "__main__":
    main()
