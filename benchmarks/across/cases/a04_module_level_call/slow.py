"""An operator assembled by a function called from the script's top level, then applied there."""
import numpy as np


def stencil(n):
    S = np.zeros((n, n))
    for i in range(n):
        S[i, i] = -4.0
        for d in (-2, -1, 1, 2):
            if 0 <= i + d < n:
                S[i, i + d] = 1.0
    return S


S = stencil(2500)
v = np.cos(np.arange(2500) / 50.0)
acc = 0.0
for _ in range(100):
    w = S.dot(v)
    acc += float(w @ w)
    v = w / np.abs(w).max()
print(f"acc={acc:.8e}")
