"""Polybench-style array initialisation from the loop indices, then a checksum."""
import numpy as np


def init_arrays(n, m):
    A = np.empty((n, m))
    B = np.empty((n, m))
    for i in range(n):
        for j in range(m):
            A[i, j] = ((i * j + 1) % n) / n
            B[i, j] = float(i + j) / (n + m)
    return A, B


def main():
    n, m = 1950, 1850
    A, B = init_arrays(n, m)
    s = (A * B).sum()
    print(f"checksum={s:.10e} a={A[7, 11]:.10e} b={B[-1, -1]:.10e} amean={A.mean():.10e}")


if __name__ == "__main__":
    main()
