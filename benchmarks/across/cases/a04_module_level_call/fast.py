import numpy as np
import scipy.sparse

n = 2500
S = scipy.sparse.diags([1.0, 1.0, -4.0, 1.0, 1.0], [-2, -1, 0, 1, 2], shape=(n, n), format="csr")
v = np.cos(np.arange(n) / 50.0)
acc = 0.0
for _ in range(100):
    w = S.dot(v)
    acc += float(w @ w)
    v = w / np.abs(w).max()
print(f"acc={acc:.8e}")
