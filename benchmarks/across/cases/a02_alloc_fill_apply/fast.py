import numpy as np
import scipy.sparse


def main():
    n = 2000
    i = np.arange(n)
    rows = np.concatenate([i, i, i])
    cols = np.concatenate([i, (i + 1) % n, (i - 1) % n])
    vals = np.concatenate([np.full(n, 2.0), np.full(n, -1.0), np.full(n, -1.0)])
    L = scipy.sparse.csr_array((vals, (rows, cols)), shape=(n, n))
    x = np.zeros(n)
    x[n // 2] = 1.0
    for _ in range(150):
        x = x - 0.2 * (L @ x)
    print(f"peak={float(x.max()):.10f} mass={float(x.sum()):.10f}")


if __name__ == "__main__":
    main()
