"""Multi-resolution analysis kernel (doitgen): contract the last axis of a 3-D array with a matrix."""
import numpy as np


def doitgen(A, W):
    nr, nq, np_ = A.shape
    total = np.zeros(np_)
    for r in range(nr):
        for q in range(nq):
            for p in range(np_):
                total[p] = 0.0
                for s in range(np_):
                    total[p] += A[r, q, s] * W[s, p]
            for p in range(np_):
                A[r, q, p] = total[p]
    return A


def setup(nr, nq, np_):
    A = np.fromfunction(lambda r, q, p: ((r * q + p) % np_) / np_, (nr, nq, np_))
    W = np.fromfunction(lambda s, p: (s * p % np_) / np_, (np_, np_))
    return A, W


if __name__ == "__main__":
    A, W = setup(48, 28, 50)
    A = doitgen(A, W)
    print(f"sum={A.sum():.10e} a000={A[0, 0, 0]:.10e} a_last={A[-1, -1, -1]:.10e}")
