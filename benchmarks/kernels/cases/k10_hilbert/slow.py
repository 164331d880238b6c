"""Build a Hilbert-like matrix entry by entry and apply it to a vector."""
import numpy as np


def hilbert(n, shift):
    H = np.zeros((n, n))
    for row in range(n):
        for col in range(n):
            H[row, col] = 1.0 / (row + col + 1 + shift)
    return H


if __name__ == "__main__":
    n = 2600
    H = hilbert(n, 0.5)
    v = np.linspace(-1.0, 1.0, n)
    w = H @ v
    print(f"trace={np.trace(H):.10e} hsum={H.sum():.10e} w0={w[0]:.10e} wn={w[-1]:.10e}")
