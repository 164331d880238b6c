"""1-D weighted smoothing of a signal with a window of radius r (weights indexed from the window's start)."""
import numpy as np


def smooth(a, w, r):
    n = a.shape[0]
    out = np.zeros(n)
    s = np.zeros(n - 2 * r)
    for k in range(-r, r + 1):
        s += a[r + k:n - r + k] * w[k + r]
    out[r:n - r] = s
    return out


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    signal = np.cumsum(rng.standard_normal(240000))
    r = 3
    weights = np.exp(-0.5 * (np.arange(-r, r + 1) / 1.5) ** 2)
    weights /= weights.sum()
    out = smooth(signal, weights, r)
    print(f"sum={out.sum():.10e} max={out.max():.10e} o={out[1234]:.10e} n={out.shape[0]}")
