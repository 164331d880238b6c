"""Centred moving average whose window is clipped at both ends of the series (fewer samples there)."""
import numpy as np


def moving_average(x, r):
    n = len(x)
    out = np.zeros(n)
    for i in range(n):
        lo = max(0, i - r)
        hi = min(n, i + r + 1)
        s = 0.0
        for k in range(lo, hi):
            s += x[k]
        out[i] = s / (hi - lo)
    return out


if __name__ == "__main__":
    rng = np.random.default_rng(8)
    days = np.arange(300000)
    series = 20.0 + 8.0 * np.sin(2 * np.pi * days / 365.0) + rng.gamma(2.0, 1.5, days.size)
    avg = moving_average(series, 12)
    print(f"sum={avg.sum():.10e} first={avg[0]:.10e} last={avg[-1]:.10e} a={avg[777]:.10e}")
