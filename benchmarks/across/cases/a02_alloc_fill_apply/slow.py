"""Allocation, filling and use of a graph Laplacian spread over three functions."""
import numpy as np


def allocate(n):
    return np.zeros((n, n))


def fill_ring(L, n):
    for i in range(n):
        L[i, i] = 2.0
        L[i, (i + 1) % n] = -1.0
        L[i, (i - 1) % n] = -1.0


def diffuse(L, x, steps, dt):
    for _ in range(steps):
        x = x - dt * (L @ x)
    return x


def main():
    n = 2000
    L = allocate(n)
    fill_ring(L, n)
    x0 = np.zeros(n)
    x0[n // 2] = 1.0
    x = diffuse(L, x0, 150, 0.2)
    print(f"peak={float(x.max()):.10f} mass={float(x.sum()):.10f}")


if __name__ == "__main__":
    main()
