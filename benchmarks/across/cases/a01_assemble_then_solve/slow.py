"""A 1-D Poisson operator assembled in one function and solved in another."""
import numpy as np


def assemble(n, h):
    A = np.zeros((n, n))
    for i in range(n):
        A[i, i] = 2.0 / h**2
        if i > 0:
            A[i, i - 1] = -1.0 / h**2
        if i < n - 1:
            A[i, i + 1] = -1.0 / h**2
    return A


def main():
    n = 1500
    h = 1.0 / (n + 1)
    A = assemble(n, h)
    xs = np.linspace(h, 1.0 - h, n)
    total = 0.0
    for k in range(1, 6):
        f = np.sin(k * np.pi * xs)
        u = np.linalg.solve(A, f)
        total += float(u.sum())
    print(f"total={total:.8e}")


if __name__ == "__main__":
    main()
