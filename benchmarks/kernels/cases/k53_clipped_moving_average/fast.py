"""Centred moving average whose window is clipped at both ends of the series (fewer samples there)."""
import numpy as np


def moving_average(x, r):
    n = len(x)
    c = np.concatenate(([0.0], np.cumsum(x)))
    i = np.arange(n)
    lo = np.maximum(0, i - r)
    hi = np.minimum(n, i + r + 1)
    return (c[hi] - c[lo]) / (hi - lo)


if __name__ == "__main__":
    rng = np.random.default_rng(8)
    days = np.arange(300000)
    series = 20.0 + 8.0 * np.sin(2 * np.pi * days / 365.0) + rng.gamma(2.0, 1.5, days.size)
    avg = moving_average(series, 12)
    print(f"sum={avg.sum():.10e} first={avg[0]:.10e} last={avg[-1]:.10e} a={avg[777]:.10e}")
