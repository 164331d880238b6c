import numpy as np
import scipy.sparse
import scipy.sparse.linalg


def main():
    n = 1400
    e = np.arange(n - 1)
    k = 1.0 + 0.5 * np.sin(e)
    diag = np.zeros(n)
    diag[:-1] += k
    diag[1:] += k
    diag[0] += 1.0
    K = scipy.sparse.diags([-k, diag, -k], [-1, 0, 1], format="csc")
    f = np.zeros(n)
    f[:-1] = 0.01
    total = 0.0
    for scale in (1.0, 2.0, 3.0, 4.0):
        u = scipy.sparse.linalg.spsolve(K, scale * f)
        total += float(u[-1])
    print(f"tip={total:.8e}")


if __name__ == "__main__":
    main()
