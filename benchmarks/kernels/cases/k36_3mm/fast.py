import numpy as np


def kernel_3mm(A, B, C, D):
    return (A @ B) @ (C @ D)


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    A = rng.random((84, 92))
    B = rng.random((92, 78))
    C = rng.random((78, 96))
    D = rng.random((96, 86))
    G = kernel_3mm(A, B, C, D)
    print(f"sum={G.sum():.10e} g00={G[0, 0]:.10e} g_last={G[-1, -1]:.10e}")
