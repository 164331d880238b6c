import numpy as np


def init(n, m):
    rng = np.random.default_rng(0)
    A = rng.random((n, m))
    B = rng.random((n, m))
    C = rng.random((n, n))
    return A, B, C


def syr2k(alpha, beta, C, A, B):
    lower = np.tril(np.ones(C.shape, dtype=bool))
    C[lower] = (beta * C + alpha * (B @ A.T + A @ B.T))[lower]
    return C


def main():
    A, B, C = init(130, 90)
    syr2k(1.5, 1.2, C, A, B)
    print(f"sum={C.sum():.10e} lower={np.tril(C).sum():.10e} c10={C[1, 0]:.10e} c01={C[0, 1]:.10e}")


if __name__ == "__main__":
    main()
