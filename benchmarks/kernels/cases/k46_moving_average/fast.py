"""Centred moving average of daily readings, the window written as range(i - r, i + r + 1)."""
import numpy as np


def moving_average(x, r):
    n = len(x)
    avg = np.full(n, np.nan)
    total = np.zeros(n - 2 * r)
    for k in range(-r, r + 1):
        total += x[r + k:n - r + k]
    avg[r:n - r] = total / (2 * r + 1)
    return avg


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    readings = 20.0 + np.cumsum(rng.standard_normal(400000)) * 0.1
    avg = moving_average(readings, 5)
    ok = avg[~np.isnan(avg)]
    print(f"sum={ok.sum():.10e} max={ok.max():.10e} o={avg[777]:.10e} nan={int(np.isnan(avg).sum())}")
