import numpy as np


def init(ni, nj, nk):
    rng = np.random.default_rng(0)
    A = rng.random((ni, nk))
    B = rng.random((nk, nj))
    C = rng.random((ni, nj))
    return A, B, C


def gemm(alpha, beta, C, A, B):
    C *= beta
    C += alpha * (A @ B)
    return C


def main():
    A, B, C = init(124, 135, 151)
    gemm(1.5, 1.2, C, A, B)
    print(f"sum={C.sum():.10e} c00={C[0, 0]:.10e} c_last={C[-1, -1]:.10e}")


if __name__ == "__main__":
    main()
