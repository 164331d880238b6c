import numpy as np


def trmm(alpha, U, B):
    return alpha * (np.triu(U) @ B)


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    U = rng.random((216, 216))
    B = rng.random((216, 149))
    C = trmm(1.5, U, B)
    print(f"sum={C.sum():.10e} c00={C[0, 0]:.10e} c_last={C[-1, -1]:.10e}")
