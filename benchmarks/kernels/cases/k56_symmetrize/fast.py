"""Symmetric part of a square matrix, B = (A + A^T) / 2, element by element."""
import numpy as np


def symmetric_part(A):
    return 0.5 * (A + A.T)


if __name__ == "__main__":
    rng = np.random.default_rng(6)
    A = rng.standard_normal((1800, 1800))
    B = symmetric_part(A)
    asym = np.abs(B - B.T).max()
    print(f"trace={np.trace(B):.10e} sum={B.sum():.10e} b={B[3, 1700]:.10e} asym={asym:.3e}")
