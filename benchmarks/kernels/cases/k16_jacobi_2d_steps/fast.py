import numpy as np


def init(n):
    i = np.arange(n)[:, None]
    j = np.arange(n)[None, :]
    A = (i * (j + 2) + 2) / n
    B = (i * (j + 3) + 3) / n
    return A, B


def jacobi_2d(tsteps, A, B):
    for t in range(tsteps):
        B[1:-1, 1:-1] = 0.2 * (A[1:-1, 1:-1] + A[1:-1, :-2] + A[1:-1, 2:] + A[2:, 1:-1] + A[:-2, 1:-1])
        A[1:-1, 1:-1] = 0.2 * (B[1:-1, 1:-1] + B[1:-1, :-2] + B[1:-1, 2:] + B[2:, 1:-1] + B[:-2, 1:-1])
    return A, B


def main():
    A, B = init(120)
    A, B = jacobi_2d(56, A, B)
    print(f"a_sum={A.sum():.10e} b_sum={B.sum():.10e} a_mid={A[60, 60]:.10e}")


if __name__ == "__main__":
    main()
