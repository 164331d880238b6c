"""Time-stepped Jacobi 2-D (polybench): two half-steps per iteration between buffers A and B."""
import numpy as np


def init(n):
    A = np.zeros((n, n))
    B = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            A[i, j] = (i * (j + 2) + 2) / n
            B[i, j] = (i * (j + 3) + 3) / n
    return A, B


def jacobi_2d(tsteps, A, B):
    n = A.shape[0]
    for t in range(tsteps):
        for i in range(1, n - 1):
            for j in range(1, n - 1):
                B[i, j] = 0.2 * (A[i, j] + A[i, j - 1] + A[i, j + 1] + A[i + 1, j] + A[i - 1, j])
        for i in range(1, n - 1):
            for j in range(1, n - 1):
                A[i, j] = 0.2 * (B[i, j] + B[i, j - 1] + B[i, j + 1] + B[i + 1, j] + B[i - 1, j])
    return A, B


def main():
    A, B = init(120)
    A, B = jacobi_2d(56, A, B)
    print(f"a_sum={A.sum():.10e} b_sum={B.sum():.10e} a_mid={A[60, 60]:.10e}")


if __name__ == "__main__":
    main()
