"""A logistic-map orbit: each value depends on the one before, so NumPy cannot vectorise it (Numba can)."""
import numpy as np


def orbit(r, x0, n):
    xs = np.empty(n)
    x = x0
    for i in range(n):
        x = r * x * (1.0 - x)
        xs[i] = x
    return xs


if __name__ == "__main__":
    xs = orbit(3.9, 0.2, 8_000_000)
    hist, _ = np.histogram(xs, bins=10, range=(0.0, 1.0))
    print("mean", round(float(xs.mean()), 6), "histogram", hist.tolist())
