"""Weighted sum of a 2-D field written with chained A[i][j] indexing, as translated from C."""
import numpy as np


def weighted_field(field, wx, wy):
    ny = len(field)
    nx = len(field[0])
    out = np.zeros((ny, nx))
    for i in range(ny):
        for j in range(nx):
            out[i][j] = field[i][j] * wy[i] * wx[j] + 1.0
    return out


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    field = rng.random((1575, 1420))
    wx = np.hanning(1420)
    wy = np.hamming(1575)
    out = weighted_field(field, wx, wy)
    print(f"sum={out.sum():.10e} o12={out[1][2]:.10e} omax={out.max():.10e}")
