import numpy as np
import scipy.sparse
import scipy.sparse.linalg


def main():
    n = 1500
    h = 1.0 / (n + 1)
    main_diag = np.full(n, 2.0 / h**2)
    off = np.full(n - 1, -1.0 / h**2)
    A = scipy.sparse.diags([off, main_diag, off], [-1, 0, 1], format="csc")
    xs = np.linspace(h, 1.0 - h, n)
    total = 0.0
    for k in range(1, 6):
        f = np.sin(k * np.pi * xs)
        u = scipy.sparse.linalg.spsolve(A, f)
        total += float(u.sum())
    print(f"total={total:.8e}")


if __name__ == "__main__":
    main()
