import numpy as np


def doitgen(A, W):
    A[...] = A @ W
    return A


def setup(nr, nq, np_):
    A = np.fromfunction(lambda r, q, p: ((r * q + p) % np_) / np_, (nr, nq, np_))
    W = np.fromfunction(lambda s, p: (s * p % np_) / np_, (np_, np_))
    return A, W


if __name__ == "__main__":
    A, W = setup(48, 28, 50)
    A = doitgen(A, W)
    print(f"sum={A.sum():.10e} a000={A[0, 0, 0]:.10e} a_last={A[-1, -1, -1]:.10e}")
