"""A discretised problem returned as a (matrix, right-hand side) pair and solved by the caller."""
import numpy as np


def build_problem(n):
    K = np.zeros((n, n))
    f = np.zeros(n)
    for e in range(n - 1):
        k = 1.0 + 0.5 * np.sin(e)
        K[e, e] += k
        K[e + 1, e + 1] += k
        K[e, e + 1] -= k
        K[e + 1, e] -= k
        f[e] += 0.01
    K[0, 0] += 1.0
    return K, f


def main():
    K, f = build_problem(1400)
    total = 0.0
    for scale in (1.0, 2.0, 3.0, 4.0):
        rhs = scale * f
        u = np.linalg.solve(K, rhs)
        total += float(u[-1])
    print(f"tip={total:.8e}")


if __name__ == "__main__":
    main()
