"""A 1-D heat equation stepped with a dense tridiagonal matrix that is 99.9% zeros."""
import numpy as np


def diffuse(u, alpha, steps):
    n = u.size
    op = np.zeros((n, n))
    for i in range(n):
        op[i, i] = 1.0 - 2.0 * alpha
    for i in range(n - 1):
        op[i, i + 1] = alpha
        op[i + 1, i] = alpha
    for _ in range(steps):
        u = op @ u
    return u


if __name__ == "__main__":
    n = 2000
    u0 = np.exp(-np.linspace(-4.0, 4.0, n) ** 2)
    u = diffuse(u0, 0.2, 350)
    print(f"heat left: {u.sum():.6f} of {u0.sum():.6f}, peak {u.max():.6f}")
